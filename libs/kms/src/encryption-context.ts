import type { EncryptionContext } from './kms-backend';

/** JSON with keys sorted by code unit, so the same pairs always give the same bytes. */
export function canonicalContextJson(context: EncryptionContext): string {
  const pairs = Object.keys(context)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(context[key])}`);
  return `{${pairs.join(',')}}`;
}

export function contextAad(context: EncryptionContext): Buffer {
  return Buffer.from(canonicalContextJson(context), 'utf8');
}
