import { createVerify, generateKeyPairSync } from 'node:crypto';
import { CLOUD_PLATFORM_SCOPE, parseServiceAccount, ServiceAccountError } from './vertex-service-account';
import { TOKEN_REFRESH_MARGIN_MS, TokenRefusedError, VertexTokenCache, type TokenExchangeAnswer } from './vertex-token.cache';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const account = (fields: object = {}): string =>
  JSON.stringify({ type: 'service_account', client_email: 'gw@proj.iam.gserviceaccount.com', private_key_id: 'kid-1', private_key: pem, token_uri: 'https://oauth2.googleapis.com/token', ...fields });

function exchanger(answers: TokenExchangeAnswer[]): { forms: string[]; exchange: (uri: string, form: string) => Promise<TokenExchangeAnswer> } {
  const forms: string[] = [];
  return {
    forms,
    exchange: async (_uri, form) => {
      forms.push(form);
      return answers.shift() ?? { status: 500, text: '' };
    },
  };
}

describe('VertexTokenCache', () => {
  const ok = (token: string, expiresIn = 3599): TokenExchangeAnswer => ({ status: 200, text: JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' }) });

  it('exchanges a JWT signed RS256 by the key for a token and reuses it until shortly before expiry', async () => {
    let now = 1_750_000_000_000;
    const { forms, exchange } = exchanger([ok('ya29.first'), ok('ya29.second')]);
    const secrets = new Set<string>();
    const cache = new VertexTokenCache(exchange, { register: (t) => secrets.add(t), forget: (t) => secrets.delete(t) }, () => now);
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([cache.accessToken(account(), signal), cache.accessToken(account(), signal)]);
    expect([a, b]).toEqual(['ya29.first', 'ya29.first']);
    expect(forms).toHaveLength(1);

    const params = new URLSearchParams(forms[0]);
    expect(params.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims, signature] = (params.get('assertion') ?? '').split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
      iss: 'gw@proj.iam.gserviceaccount.com',
      scope: CLOUD_PLATFORM_SCOPE,
      aud: 'https://oauth2.googleapis.com/token',
      iat: 1_750_000_000,
      exp: 1_750_003_600,
    });
    expect(createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature, 'base64url'))).toBe(true);

    now += 3599_000 - TOKEN_REFRESH_MARGIN_MS - 1000;
    expect(await cache.accessToken(account(), signal)).toBe('ya29.first');
    now += 2000;
    expect(await cache.accessToken(account(), signal)).toBe('ya29.second');
    expect(forms).toHaveLength(2);
    expect([...secrets]).toEqual(['ya29.second']);
    cache.clear();
    expect(secrets.size).toBe(0);
  });

  it('reads a refusal as TokenRefusedError naming the OAuth error only', async () => {
    const { exchange } = exchanger([{ status: 400, text: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }) }]);
    const error = await new VertexTokenCache(exchange, { register: () => undefined, forget: () => undefined }).accessToken(account(), new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefusedError);
    expect((error as Error).message).toBe('the token endpoint refused the Vertex service-account key (HTTP 400, invalid_grant)');
  });

  it.each<[string, string, string]>([
    ['not JSON', 'nope', 'is not JSON'],
    ['no client_email', account({ client_email: undefined }), 'has no client_email'],
    ['a private_key that is no PEM', account({ private_key: 'abc' }), 'is not a PEM private key'],
    ['a plain-http token_uri elsewhere', account({ token_uri: 'http://10.0.0.1/token' }), 'has no https token_uri'],
  ])('refuses a key with %s, quoting none of it', (_case, json, reason) => {
    const error = (() => {
      try {
        parseServiceAccount(json);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServiceAccountError);
    expect(error?.message).toContain(reason);
    expect(error?.message).not.toContain('BEGIN');
  });
});
