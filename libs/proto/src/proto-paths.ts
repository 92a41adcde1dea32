import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Root of the proto/ tree, found from source (ts) or from the built output (dist). */
function findProtoRoot(): string {
  const candidates = [
    process.env.GATEWAY_PROTO_DIR,
    resolve(__dirname, '../../../proto'),
    resolve(__dirname, '../../../../proto'),
    resolve(process.cwd(), 'proto'),
  ];
  for (const candidate of candidates) {
    if (candidate && existsSync(join(candidate, 'gateway/v1/router.proto'))) return candidate;
  }
  throw new Error('proto/ tree not found: set GATEWAY_PROTO_DIR');
}

export const PROTO_ROOT = findProtoRoot();

export const PROTO_FILES = {
  router: join(PROTO_ROOT, 'gateway/v1/router.proto'),
  adapter: join(PROTO_ROOT, 'gateway/v1/adapter.proto'),
  config: join(PROTO_ROOT, 'gateway/v1/config.proto'),
  keyVaultAdmin: join(PROTO_ROOT, 'gateway/v1/key_vault_admin.proto'),
  keyVaultResolve: join(PROTO_ROOT, 'gateway/v1/key_vault_resolve.proto'),
  analytics: join(PROTO_ROOT, 'gateway/v1/analytics.proto'),
} as const;

/** The proto package every gateway service lives in. */
export const GATEWAY_V1_PACKAGE_NAME = 'gateway.v1';
