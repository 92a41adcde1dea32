// `npm run keys:rewrap -- --to <kms key id>`: moves every stored provider key's data key to
// another KMS key through the admin API (KMS ReEncrypt inside key-vault: no plaintext leaves it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const to = args[args.indexOf('--to') + 1];
if (!args.includes('--to') || !to) {
  console.error('usage: npm run keys:rewrap -- --to <kms key id or alias>');
  process.exit(2);
}
const dataDir = process.env.GATEWAY_DATA_DIR ?? '.data';
const token = process.env.ADMIN_TOKEN ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
const base = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;
const response = await fetch(`${base}/admin/v1/provider-keys/rewrap`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ toKmsKeyId: to }),
});
const body = await response.json().catch(() => ({}));
if (!response.ok) {
  console.error(`rewrap failed (${response.status}): ${body?.error?.message ?? 'no details'}`);
  process.exit(1);
}
console.log(`rewrapped ${body.moved} provider key(s) to ${to}`);
