import type { SealedSecret } from '@ai-gateway/kms';
import type { ProviderKeyEntry } from '@ai-gateway/proto';

/** What the KV bucket holds for one provider key: metadata and the sealed secret, never plaintext. */
export interface KeyRecord {
  id: string;
  provider: string;
  name: string;
  last4: string;
  createdAt: string;
  rotatedAt: string;
  version: number;
  sealed: SealedSecret;
}

export function toEntry(record: KeyRecord): ProviderKeyEntry {
  return {
    id: record.id,
    provider: record.provider,
    name: record.name,
    last4: record.last4,
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
    version: record.version,
  };
}
