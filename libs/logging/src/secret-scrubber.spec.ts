import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { attemptScrubber, SECRET_SLICE_LENGTH, SecretScrubber } from './secret-scrubber';

const serviceAccount = JSON.stringify({
  type: 'service_account',
  project_id: 'gateway-test',
  private_key_id: randomBytes(20).toString('hex'),
  private_key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  client_email: 'gateway@gateway-test.iam.gserviceaccount.com',
});

// Key shapes a provider entry can hold: OpenAI, Anthropic, Groq, a self-hosted bare hex token, a JSON blob.
const KEYS: Array<[string, string]> = [
  ['sk-', `sk-proj-${randomBytes(36).toString('base64url')}`],
  ['sk-ant-', `sk-ant-api03-${randomBytes(70).toString('base64url')}`],
  ['gsk_', `gsk_${randomBytes(39).toString('hex').slice(0, 52)}`],
  ['40-hex', randomBytes(20).toString('hex')],
  ['JSON service account', serviceAccount],
];

/** Every substring of `text` of at least SECRET_SLICE_LENGTH characters that is also in `secret`. */
function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SECRET_SLICE_LENGTH <= text.length; i++) {
    const slice = text.slice(i, i + SECRET_SLICE_LENGTH);
    if (secret.includes(slice)) return slice;
  }
  return undefined;
}

describe.each(KEYS)('SecretScrubber with a %s key', (_shape, key) => {
  const scrubber = new SecretScrubber();
  scrubber.register(key);

  it('scrubs the whole key', () => {
    const out = scrubber.scrub(`Incorrect API key provided: ${key}. You can find your key at https://example.com.`);
    expect(out).toBe('Incorrect API key provided: [redacted]. You can find your key at https://example.com.');
  });

  it.each([
    ['a prefix', (k: string) => k.slice(0, 39)],
    ['a middle slice', (k: string) => k.slice(5, 5 + SECRET_SLICE_LENGTH)],
    ['a suffix', (k: string) => k.slice(-20)],
    ['two slices in one text', (k: string) => `${k.slice(0, 17)} and ${k.slice(-17)}`],
    ['the key as escaped inside JSON', (k: string) => JSON.stringify(k)],
  ])('scrubs %s of it', (_case, slice) => {
    const text = `{"error":{"message":"bad key ${slice(key)} given","type":"invalid_request_error"}}`;
    const out = scrubber.scrub(text);
    expect(leakedSlice(out, key)).toBeUndefined();
    expect(leakedSlice(out, JSON.stringify(key))).toBeUndefined();
    expect(out).toContain('bad key');
    expect(out).toContain('[redacted]');
  });

  it('leaves unrelated text alone', () => {
    expect(scrubber.scrub('The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.')).toBe(
      'The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.',
    );
  });
});

describe('SecretScrubber', () => {
  it('scrubs a gsk_ key that no key shape knows once registered, and only then', () => {
    const key = 'Zq8h2Xv0Pp4mRt6yWb3nLk9sJd1fGh7c';
    const scrubber = new SecretScrubber();
    expect(scrubber.scrub(`token ${key}`)).toBe(`token ${key}`);
    scrubber.register(key);
    expect(scrubber.scrub(`token ${key}`)).toBe('token [redacted]');
    scrubber.forget(key);
    expect(scrubber.scrub(`token ${key}`)).toBe(`token ${key}`);
  });

  it('keeps a window held by another secret when one is forgotten', () => {
    const scrubber = new SecretScrubber();
    scrubber.register('shared-prefix-0123456789-aaaa');
    scrubber.register('shared-prefix-0123456789-bbbb');
    scrubber.forget('shared-prefix-0123456789-aaaa');
    expect(scrubber.scrub('x shared-prefix-0123456789 y')).toBe('x [redacted] y');
  });

  it('scrubs secrets shorter than a slice only whole', () => {
    const scrubber = new SecretScrubber();
    scrubber.register('adm1n-t0ken');
    expect(scrubber.scrub('bearer adm1n-t0ken!')).toBe('bearer [redacted]!');
  });

  it('scrubs a key with slashes echoed with each `/` escaped as `\\/`', () => {
    const key = `Zq8h2Xv0/Pp4mRt6y/Wb3nLk9sJd1/fGh7c${randomBytes(8).toString('hex')}`;
    const scrubber = new SecretScrubber();
    scrubber.register(key);
    const out = scrubber.scrub(`{"message":"bad key ${key.replaceAll('/', '\\/')}"}`);
    expect(leakedSlice(out.replaceAll('\\/', '/'), key)).toBeUndefined();
    expect(out).toContain('[redacted]');
  });

  it('scrubs the values inside a JSON credential as they decode, whatever escapes the credential was typed with', () => {
    const secretAccessKey = `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${randomBytes(5).toString('hex')}`;
    // Typed with `\/`, as some tools write JSON: the decoded value is not a substring of what was typed.
    const credential = `{"accessKeyId":"AKIA${randomBytes(8).toString('hex').toUpperCase()}","secretAccessKey":"${secretAccessKey.replaceAll('/', '\\/')}"}`;
    const scrubber = new SecretScrubber();
    scrubber.register(credential);
    const out = scrubber.scrub(`signature mismatch for secret ${secretAccessKey}`);
    expect(leakedSlice(out, secretAccessKey)).toBeUndefined();
    scrubber.forget(credential);
    expect(scrubber.scrub(secretAccessKey)).toBe(secretAccessKey);
  });

  it("scrubs every slice of a service account's private key as it decodes, across its line breaks", () => {
    const privateKey = (JSON.parse(serviceAccount) as { private_key: string }).private_key;
    const scrubber = new SecretScrubber();
    scrubber.register(serviceAccount);
    const line = privateKey.indexOf('\n', 40);
    const out = scrubber.scrub(`key echoed: ${privateKey.slice(line - 8, line + 9)} end`);
    expect(leakedSlice(out, privateKey)).toBeUndefined();
    expect(out).toBe('key echoed: [redacted] end');
  });

  it('does one lookup per text position whatever the number of secrets', () => {
    const scrubber = new SecretScrubber();
    for (let i = 0; i < 1_000; i++) scrubber.register(randomBytes(32).toString('hex'));
    const lookups = jest.spyOn(Map.prototype, 'has');
    const text = 'a'.repeat(64 * 1024);
    scrubber.scrub(text);
    const count = lookups.mock.calls.length;
    lookups.mockRestore();
    expect(count).toBeLessThanOrEqual(text.length);
  });
});

describe('attemptScrubber', () => {
  it('scrubs the attempt key and its slices without registering it process-wide', () => {
    const shared = new SecretScrubber();
    const key = `gsk_${randomBytes(26).toString('hex')}`;
    const scrub = attemptScrubber(key, shared);
    expect(scrub(`key ${key.slice(3, 40)} echoed`)).toBe('key [redacted] echoed');
    expect(shared.scrub(key.slice(3, 40))).toBe(key.slice(3, 40));
  });
});

describe('SecretScrubber.scrubValue', () => {
  it('scrubs strings at every depth it copies, and leaves out what is deeper rather than passing it on raw', () => {
    const scrubber = new SecretScrubber();
    const secret = randomBytes(24).toString('hex');
    scrubber.register(secret);
    let nested: Record<string, unknown> = { leaf: secret, shaped: 'sk-proj-0123456789abcdefghijklmnop' };
    for (let i = 0; i < 9; i++) nested = { level: i, inner: nested };
    const text = JSON.stringify(scrubber.scrubValue({ shallow: secret, nested }));
    expect(text).not.toContain(secret.slice(0, 16));
    expect(text).not.toContain('sk-proj-0123456789');
    expect(text).toContain('[depth limit]');
  });
});
