import { DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { quietPort, startLocalKms, type LocalKms } from '@ai-gateway/testing';
import { AwsKmsBackend } from './aws-kms.backend';
import { openSecret, rewrapSecret, sealSecret } from './envelope';
import { KmsErrorCode } from './kms.errors';
import type { SealedSecret } from './sealed-secret';

const SECRET = 'sk-ant-api03-INTEGRATIONsecret-4321';
const CONTEXT = { provider: 'anthropic', keyId: 'key-7' };
const CREDENTIALS = { accessKeyId: 'local-kms', secretAccessKey: 'local-kms' };

function backendFor(kms: LocalKms, keyId: string): AwsKmsBackend {
  return new AwsKmsBackend({ keyId, region: kms.region, endpoint: kms.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
}

function arnOf(kms: LocalKms, keyId: string): string {
  return `arn:aws:kms:${kms.region}:${kms.accountId}:key/${keyId}`;
}

/** local-kms ciphertext blobs are: ident length (1 byte) | key ARN | backing key version (uint32 LE) | nonce+ciphertext. */
function backingKeyVersion(ciphertextBlob: Buffer): number {
  return ciphertextBlob.readUInt32LE(1 + ciphertextBlob[0]);
}

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('AwsKmsBackend against local-kms', () => {
  let kms: LocalKms;
  let primaryKey: string;
  let secondaryKey: string;
  let disabledKey: string;

  beforeAll(async () => {
    kms = await startLocalKms({ keys: [{ aliases: ['alias/gateway'] }, {}, {}] });
    [primaryKey, secondaryKey, disabledKey] = kms.keyIds;
  });

  afterAll(async () => {
    await kms?.stop();
  });

  it('seals and opens a secret, recording the key ARN', async () => {
    const backend = backendFor(kms, primaryKey);

    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    expect(sealed).toMatchObject({ kmsBackend: 'aws', kmsKeyId: arnOf(kms, primaryKey), context: CONTEXT });
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    await expect(openSecret(backend, sealed)).resolves.toBe(SECRET);
  });

  it('seals through an alias and opens by the recorded key ARN', async () => {
    const sealed = await sealSecret(backendFor(kms, 'alias/gateway'), SECRET, CONTEXT);

    expect(sealed.kmsKeyId).toBe(arnOf(kms, primaryKey));
    await expect(openSecret(backendFor(kms, 'alias/gateway'), sealed)).resolves.toBe(SECRET);
  });

  it.each([
    ['provider', { provider: 'openai', keyId: CONTEXT.keyId }],
    ['keyId', { provider: CONTEXT.provider, keyId: 'key-8' }],
  ])('refuses to open a record whose stored context.%s was changed: KMS Decrypt refuses', async (_field, context) => {
    const backend = backendFor(kms, primaryKey);
    const sealed = await sealSecret(backend, SECRET, CONTEXT);

    const error = await openSecret(backend, { ...sealed, context }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: KmsErrorCode.DecryptRefused });
    expect((error as Error).message).toMatch(/KMS Decrypt with key ".*" failed: KMS refused the ciphertext/);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('rewraps a record to a second key; only the second key opens it', async () => {
    const primary = backendFor(kms, primaryKey);
    const sealed = await sealSecret(primary, SECRET, CONTEXT);

    const rewrapped = await rewrapSecret(primary, sealed, secondaryKey);

    expect(rewrapped.kmsKeyId).toBe(arnOf(kms, secondaryKey));
    expect({ ...rewrapped, kmsKeyId: '', encryptedDataKey: '' }).toEqual({ ...sealed, kmsKeyId: '', encryptedDataKey: '' });
    await expect(openSecret(backendFor(kms, secondaryKey), rewrapped)).resolves.toBe(SECRET);
    const claimedByPrimary: SealedSecret = { ...rewrapped, kmsKeyId: arnOf(kms, primaryKey) };
    await expect(openSecret(primary, claimedByPrimary)).rejects.toMatchObject({ code: KmsErrorCode.DecryptRefused });
  });

  it('passes checkUsable for an enabled symmetric key', async () => {
    await expect(backendFor(kms, primaryKey).checkUsable()).resolves.toBeUndefined();
  });

  it('fails checkUsable for an unknown key id, naming the key', async () => {
    const unknownKey = randomUUID();

    const attempt = backendFor(kms, unknownKey).checkUsable();

    await expect(attempt).rejects.toMatchObject({ code: KmsErrorCode.KeyNotFound });
    await expect(attempt).rejects.toThrow(new RegExp(`KMS DescribeKey with key "${unknownKey}" failed: the key does not exist`));
  });

  it('fails checkUsable and sealing for a disabled key', async () => {
    const client = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: CREDENTIALS });
    await client.send(new DisableKeyCommand({ KeyId: disabledKey }));
    client.destroy();
    const backend = backendFor(kms, disabledKey);

    await expect(backend.checkUsable()).rejects.toThrow(`KMS key "${disabledKey}" is not usable: its state is Disabled`);
    await expect(sealSecret(backend, SECRET, CONTEXT)).rejects.toMatchObject({ code: KmsErrorCode.KeyDisabled });
  });

  it('fails checkUsable quickly when the endpoint is unreachable', async () => {
    const port = await quietPort();
    const backend = new AwsKmsBackend({
      keyId: primaryKey,
      region: kms.region,
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      timeoutMs: 1000,
    });
    const started = Date.now();

    await expect(backend.checkUsable()).rejects.toMatchObject({
      code: KmsErrorCode.EndpointUnreachable,
      message: expect.stringMatching(/KMS endpoint is unreachable/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('AwsKmsBackend across a local-kms key rotation', () => {
  let kms: LocalKms;

  afterEach(async () => {
    await kms?.stop();
  });

  // local-kms rotates lazily: the first use after NextKeyRotation appends a new backing key,
  // encrypts with it from then on, and keeps the old ones for Decrypt.
  it('opens a record sealed before the key material rotated', async () => {
    kms = await startLocalKms({ keys: [{ nextKeyRotation: new Date(Date.now() + 3000) }] });
    const backend = backendFor(kms, kms.keyIds[0]);
    const sealedBefore = await sealSecret(backend, SECRET, CONTEXT);
    expect(backingKeyVersion(Buffer.from(sealedBefore.encryptedDataKey, 'base64'))).toBe(0);

    await pollUntil(async () => {
      const probe = await backend.generateDataKey({ purpose: 'rotation-probe' });
      probe.plaintext.fill(0);
      return backingKeyVersion(probe.ciphertext) === 1;
    }, 15_000);

    const sealedAfter = await sealSecret(backend, SECRET, CONTEXT);
    expect(backingKeyVersion(Buffer.from(sealedAfter.encryptedDataKey, 'base64'))).toBe(1);
    expect(sealedAfter.kmsKeyId).toBe(sealedBefore.kmsKeyId);
    await expect(openSecret(backend, sealedBefore)).resolves.toBe(SECRET);
    await expect(openSecret(backend, sealedAfter)).resolves.toBe(SECRET);
  });
});
