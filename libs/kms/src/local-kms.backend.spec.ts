import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsError, KmsErrorCode } from './kms.errors';
import { LOCAL_KMS_KEY_ID, LocalKmsBackend } from './local-kms.backend';
import { loadOrCreateMasterKey, masterKeyPath } from './local-master-key';

describe('LocalKmsBackend', () => {
  const context = { provider: 'openai', keyId: 'key-1' };
  let dataDir: string;

  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'kms-local-')), 'kms');
  });

  afterEach(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('creates a 32-byte master key file with mode 0600 on first use', async () => {
    await new LocalKmsBackend({ dataDir }).generateDataKey(context);

    const info = await stat(masterKeyPath(dataDir));
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.size).toBe(32);
  });

  it('gives every instance starting at once on the same data directory the same master key (replicas sharing a volume)', async () => {
    const keys = await Promise.all(Array.from({ length: 16 }, () => loadOrCreateMasterKey(dataDir)));
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
    expect(keys[0]).toEqual(await readFile(masterKeyPath(dataDir)));
    // The drafts each one wrote before linking are gone.
    expect(await readdir(dataDir)).toEqual(['master.key']);
  });

  it('round-trips a data key, also through a new instance reading the same file', async () => {
    const generated = await new LocalKmsBackend({ dataDir }).generateDataKey(context);

    const opened = await new LocalKmsBackend({ dataDir }).decrypt(generated.ciphertext, context);

    expect(generated.plaintext).toHaveLength(32);
    expect(opened.equals(generated.plaintext)).toBe(true);
    expect(generated.keyId).toBe(LOCAL_KMS_KEY_ID);
  });

  it('writes a versioned ciphertext: version byte, 12-byte iv, 16-byte tag, 32-byte wrapped key', async () => {
    const { ciphertext, plaintext } = await new LocalKmsBackend({ dataDir }).generateDataKey(context);

    expect(ciphertext).toHaveLength(1 + 12 + 16 + 32);
    expect(ciphertext[0]).toBe(1);
    expect(ciphertext.includes(plaintext)).toBe(false);
  });

  it.each([
    ['a changed value', { provider: 'anthropic', keyId: 'key-1' }],
    ['an extra pair', { ...context, extra: 'x' }],
    ['a missing pair', { provider: 'openai' }],
  ])('refuses to decrypt with %s in the encryption context', async (_case, otherContext) => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext } = await backend.generateDataKey(context);

    await expect(backend.decrypt(ciphertext, otherContext)).rejects.toMatchObject({ code: KmsErrorCode.DecryptRefused });
  });

  it('accepts the same context in another key order', async () => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext, plaintext } = await backend.generateDataKey(context);

    const opened = await backend.decrypt(ciphertext, { keyId: 'key-1', provider: 'openai' });

    expect(opened.equals(plaintext)).toBe(true);
  });

  it('refuses an unknown ciphertext version', async () => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext } = await backend.generateDataKey(context);
    ciphertext[0] = 2;

    await expect(backend.decrypt(ciphertext, context)).rejects.toThrow(/unknown format/);
  });

  it('refuses a master key file readable by group or others, saying so', async () => {
    await new LocalKmsBackend({ dataDir }).checkUsable();
    await chmod(masterKeyPath(dataDir), 0o644);

    const attempt = new LocalKmsBackend({ dataDir }).generateDataKey(context);

    await expect(attempt).rejects.toMatchObject({ code: KmsErrorCode.MasterKeyFileInsecure });
    await expect(attempt).rejects.toThrow(/accessible by group or others \(mode 0644\).*chmod 600/);
  });

  it('refuses a master key file of the wrong size', async () => {
    await new LocalKmsBackend({ dataDir }).checkUsable();
    await writeFile(masterKeyPath(dataDir), Buffer.alloc(16), { mode: 0o600 });

    await expect(new LocalKmsBackend({ dataDir }).checkUsable()).rejects.toThrow(/exactly 32 bytes, found 16/);
  });

  it('never writes the master key into an error message', async () => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext } = await backend.generateDataKey(context);
    const masterKey = await readFile(masterKeyPath(dataDir));

    const error = await backend.decrypt(ciphertext, { provider: 'x' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KmsError);
    const message = (error as KmsError).message;
    expect(message).not.toContain(masterKey.toString('hex'));
    expect(message).not.toContain(masterKey.toString('base64'));
  });

  it('re-encrypts under its own key and rejects any other key id', async () => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext, plaintext } = await backend.generateDataKey(context);

    const moved = await backend.reEncrypt(ciphertext, context, LOCAL_KMS_KEY_ID);

    expect(moved.ciphertext.equals(ciphertext)).toBe(false);
    expect((await backend.decrypt(moved.ciphertext, context)).equals(plaintext)).toBe(true);
    await expect(backend.reEncrypt(ciphertext, context, 'other-key')).rejects.toMatchObject({
      code: KmsErrorCode.Unsupported,
    });
  });

  it('refuses to decrypt for a key id it does not hold', async () => {
    const backend = new LocalKmsBackend({ dataDir });
    const { ciphertext } = await backend.generateDataKey(context);

    await expect(backend.decrypt(ciphertext, context, 'other-key')).rejects.toMatchObject({
      code: KmsErrorCode.KeyNotFound,
    });
  });
});
