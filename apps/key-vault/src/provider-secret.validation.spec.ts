import { KeyValidationError } from './key-validation.error';
import { validateProviderSecret } from './provider-secret.validation';

describe('validateProviderSecret', () => {
  const serviceAccount = JSON.stringify(
    { type: 'service_account', project_id: 'p', private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n', client_email: 'a@p.iam' },
    null,
    2,
  );

  it.each([
    ['an API key', 'sk-test-0123456789abcdef'],
    ['a pretty-printed service-account JSON (spaces and newlines inside)', serviceAccount],
    ['AWS credentials as JSON', '{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"wJalr/EXAMPLEKEY"}'],
  ])('accepts %s', (_name, secret) => {
    expect(() => validateProviderSecret(secret)).not.toThrow();
  });

  it.each([
    ['a short key', 'short'],
    ['a key with a space', 'sk-test 0123456789'],
    ['a key over 4096 characters', 'k'.repeat(4097)],
    ['broken JSON', '{"accessKeyId": "AKIA'],
    ['a JSON array', '[1,2,3]'],
    ['an empty JSON object', '{}'],
    ['a JSON credential over 16 KiB', JSON.stringify({ key: 'x'.repeat(16_400) })],
  ])('refuses %s, without echoing it', (_name, secret) => {
    let thrown: unknown;
    try {
      validateProviderSecret(secret);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KeyValidationError);
    expect((thrown as Error).message).not.toContain(secret.slice(0, 16));
  });
});
