import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSecret, rewrapSecret, sealSecret } from './envelope';
import type { EncryptionContext, GeneratedDataKey, KmsBackend } from './kms-backend';
import { KmsErrorCode } from './kms.errors';
import { LOCAL_KMS_KEY_ID, LocalKmsBackend } from './local-kms.backend';
import type { SealedSecret } from './sealed-secret';

const SECRET = 'sk-proj-Zx81yQv0TESTSECRETvalue9876';
const CONTEXT = { provider: 'openai', keyId: 'key-42' };

/** Records every plaintext data key buffer the backend hands out, to check it is zeroed. */
class RecordingBackend implements KmsBackend {
  readonly name: KmsBackend['name'];
  readonly keyId: string;
  readonly generated: GeneratedDataKey[] = [];
  readonly decrypted: Buffer[] = [];

  constructor(private readonly inner: KmsBackend) {
    this.name = inner.name;
    this.keyId = inner.keyId;
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const dataKey = await this.inner.generateDataKey(context);
    this.generated.push(dataKey);
    jest.spyOn(dataKey.plaintext, 'fill');
    return dataKey;
  }

  async decrypt(ciphertext: Buffer, context: EncryptionContext, keyId?: string): Promise<Buffer> {
    const dataKey = await this.inner.decrypt(ciphertext, context, keyId);
    this.decrypted.push(dataKey);
    jest.spyOn(dataKey, 'fill');
    return dataKey;
  }

  reEncrypt(ciphertext: Buffer, context: EncryptionContext, toKeyId: string, fromKeyId?: string) {
    return this.inner.reEncrypt(ciphertext, context, toKeyId, fromKeyId);
  }

  checkUsable(): Promise<void> {
    return this.inner.checkUsable();
  }
}

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}

describe('envelope', () => {
  let root: string;
  let backend: RecordingBackend;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kms-envelope-'));
    backend = new RecordingBackend(new LocalKmsBackend({ dataDir: root }));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('seals and opens a secret', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    await expect(openSecret(backend, sealed)).resolves.toBe(SECRET);
    expect(sealed).toMatchObject({
      v: 1,
      alg: 'AES-256-GCM',
      kmsBackend: 'local',
      kmsKeyId: LOCAL_KMS_KEY_ID,
      context: CONTEXT,
    });
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
  });

  it('round-trips a record through JSON, which never contains the plaintext', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);
    const json = JSON.stringify(sealed);

    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(json).not.toContain(Buffer.from(SECRET).toString('hex'));
    await expect(openSecret(backend, JSON.parse(json) as SealedSecret)).resolves.toBe(SECRET);
  });

  it('uses a fresh data key and iv for every seal', async () => {
    const first = await sealSecret(backend, SECRET, CONTEXT);
    const second = await sealSecret(backend, SECRET, CONTEXT);
    const [firstKey, secondKey] = await Promise.all(
      [first, second].map((sealed) =>
        backend.decrypt(Buffer.from(sealed.encryptedDataKey, 'base64'), sealed.context),
      ),
    );

    expect(backend.generated).toHaveLength(2);
    expect(firstKey.equals(secondKey)).toBe(false);
    expect(first.encryptedDataKey).not.toBe(second.encryptedDataKey);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it('zeroes the plaintext data key after sealing', async () => {
    await sealSecret(backend, SECRET, CONTEXT);

    const [dataKey] = backend.generated;
    expect(dataKey.plaintext.fill).toHaveBeenCalledWith(0);
    expect(dataKey.plaintext.equals(Buffer.alloc(32))).toBe(true);
  });

  it('zeroes the plaintext data key after opening, and after a failed open', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    await openSecret(backend, sealed);
    await openSecret(backend, { ...sealed, tag: flipFirstByte(sealed.tag) }).catch(() => undefined);

    expect(backend.decrypted).toHaveLength(2);
    for (const dataKey of backend.decrypted) {
      expect(dataKey.fill).toHaveBeenCalledWith(0);
      expect(dataKey.equals(Buffer.alloc(32))).toBe(true);
    }
  });

  it.each<[string, (sealed: SealedSecret) => SealedSecret, string]>([
    ['context.provider', (s) => ({ ...s, context: { ...s.context, provider: 'anthropic' } }), KmsErrorCode.DecryptRefused],
    ['context.keyId', (s) => ({ ...s, context: { ...s.context, keyId: 'key-43' } }), KmsErrorCode.DecryptRefused],
    ['ciphertext', (s) => ({ ...s, ciphertext: flipFirstByte(s.ciphertext) }), KmsErrorCode.SealedSecretTampered],
    ['iv', (s) => ({ ...s, iv: flipFirstByte(s.iv) }), KmsErrorCode.SealedSecretTampered],
    ['tag', (s) => ({ ...s, tag: flipFirstByte(s.tag) }), KmsErrorCode.SealedSecretTampered],
    ['encryptedDataKey', (s) => ({ ...s, encryptedDataKey: flipFirstByte(s.encryptedDataKey) }), KmsErrorCode.DecryptRefused],
    ['tag length', (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64').subarray(0, 12).toString('base64') }), KmsErrorCode.SealedSecretInvalid],
  ])('refuses a record with a tampered %s, without the secret in the error', async (_field, tamper, code) => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    const error = await openSecret(backend, tamper(sealed)).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code });
    expect(String((error as Error).message)).not.toContain(SECRET);
    expect(String((error as Error).stack)).not.toContain(SECRET);
  });

  it('refuses a record that is not a sealed secret', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);
    const broken = { ...sealed, v: 2 } as unknown as SealedSecret;

    await expect(openSecret(backend, broken)).rejects.toMatchObject({ code: KmsErrorCode.SealedSecretInvalid });
  });

  it('refuses a record sealed by another backend kind', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    await expect(openSecret(backend, { ...sealed, kmsBackend: 'aws' })).rejects.toThrow(/sealed by the "aws" KMS backend/);
  });

  it('binds only provider and keyId, whatever else the caller passes', async () => {
    const sealed = await sealSecret(backend, SECRET, { ...CONTEXT, extra: 'ignored' } as typeof CONTEXT);

    expect(sealed.context).toEqual(CONTEXT);
    await expect(openSecret(backend, sealed)).resolves.toBe(SECRET);
  });

  it('rewraps the data key without touching the sealed secret', async () => {
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    const rewrapped = await rewrapSecret(backend, sealed, LOCAL_KMS_KEY_ID);

    expect(rewrapped.encryptedDataKey).not.toBe(sealed.encryptedDataKey);
    expect({ ...rewrapped, encryptedDataKey: '' }).toEqual({ ...sealed, encryptedDataKey: '' });
    await expect(openSecret(backend, rewrapped)).resolves.toBe(SECRET);
    await expect(rewrapSecret(backend, sealed, 'another-key')).rejects.toMatchObject({ code: KmsErrorCode.Unsupported });
  });
});
