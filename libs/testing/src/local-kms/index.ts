export { startLocalKms, type LocalKms, type StartLocalKmsOptions } from './start-local-kms';
export type { LocalKmsAlias, LocalKmsKeySeed } from './local-kms-seed';
export { findLocalKms } from './find-local-kms';
