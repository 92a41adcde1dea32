// Development credentials kept in $GATEWAY_DATA_DIR, created once with mode 0600.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function readSecret(dataDir, file) {
  const path = join(dataDir, file);
  if (!existsSync(path)) return undefined;
  const value = readFileSync(path, 'utf8').trim();
  return value || undefined;
}

export function writeSecret(dataDir, file, value) {
  const path = join(dataDir, file);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return value;
}

/** The value stored in the file, or a fresh random one stored there. */
export function readOrCreateSecret(dataDir, file) {
  return readSecret(dataDir, file) ?? writeSecret(dataDir, file, randomBytes(32).toString('base64url'));
}

/** Each internal caller's own service credential (ingress, router), one file each. */
export function readOrCreateServiceCredentials(dataDir) {
  return { ingress: readOrCreateSecret(dataDir, 'ingress-credential'), router: readOrCreateSecret(dataDir, 'router-credential') };
}

/**
 * The development gateway API key: the stored one while ingress still accepts it, else a new
 * one created through the admin API (first start, or the NATS store was wiped).
 */
export async function ensureDevApiKey({ dataDir, baseUrl, adminToken }) {
  const stored = readSecret(dataDir, 'dev-api-key');
  if (stored) {
    const check = await fetch(`${baseUrl}/v1/models`, {
      headers: { authorization: `Bearer ${stored}` },
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    await check?.body?.cancel();
    if (check?.status !== 401) return { key: stored, created: false };
  }
  const response = await fetch(`${baseUrl}/admin/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'development' }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`POST /admin/v1/api-keys answered ${response.status}: ${text.slice(0, 500)}`);
  }
  const { key } = JSON.parse(text);
  if (typeof key !== 'string' || !key) throw new Error(`POST /admin/v1/api-keys returned no key: ${text.slice(0, 200)}`);
  return { key: writeSecret(dataDir, 'dev-api-key', key), created: true };
}
