import { createVerify, generateKeyPairSync } from 'node:crypto';
import { CLOUD_PLATFORM_SCOPE, parseServiceAccount, ServiceAccountError } from './vertex-service-account';
import {
  MAX_ACCESS_TOKEN_LENGTH,
  REFUSAL_BACKOFF_MS,
  TOKEN_REFRESH_MARGIN_MS,
  TokenRefusedError,
  VertexTokenCache,
  type SecretRegistry,
  type TokenExchangeAnswer,
} from './vertex-token.cache';

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

/** A token endpoint that mints `ya29.token-N` (or answers from a script), can be held, and counts its calls. */
function tokenEndpoint(answers: TokenExchangeAnswer[] = [], expiresIn = 3600) {
  let issued = 0;
  let calls = 0;
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const exchange = async (): Promise<TokenExchangeAnswer> => {
    calls += 1;
    if (held) await held;
    const scripted = answers.shift();
    if (scripted) return scripted;
    issued += 1;
    return { status: 200, text: JSON.stringify({ access_token: `ya29.token-${issued}`, expires_in: expiresIn, token_type: 'Bearer' }) };
  };
  return {
    exchange,
    calls: () => calls,
    hold: () => {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      held = undefined;
      release?.();
    },
  };
}

/** The secrets registered and not yet forgotten. */
function registry(): SecretRegistry & { live: Set<string> } {
  const live = new Set<string>();
  return { live, register: (secret) => live.add(secret), forget: (secret) => live.delete(secret) };
}

const noSecrets: SecretRegistry = { register: () => undefined, forget: () => undefined };
const signal = () => new AbortController().signal;
/** Lets a background renewal run to its end. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

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
    expect(forms).toHaveLength(1);
    now += 2000;
    // Inside the margin: the valid token answers at once, the renewal runs behind it.
    expect(await cache.accessToken(account(), signal)).toBe('ya29.first');
    await settled();
    expect(forms).toHaveLength(2);
    expect(await cache.accessToken(account(), signal)).toBe('ya29.second');
    cache.clear();
    expect(secrets.size).toBe(0);
  });

  it('keeps each token registered with the scrubber until it expires, also once replaced or dropped', async () => {
    let now = 0;
    const secrets = registry();
    const cache = new VertexTokenCache(tokenEndpoint().exchange, secrets, () => now);
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    expect([...secrets.live]).toEqual(['ya29.token-1']);
    now = 3600_000 - TOKEN_REFRESH_MARGIN_MS;
    await cache.accessToken(account(), signal());
    await settled();
    // Replaced, but requests in flight may still carry it until it expires.
    expect([...secrets.live]).toEqual(['ya29.token-1', 'ya29.token-2']);
    now = 3600_000;
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-2');
    expect([...secrets.live]).toEqual(['ya29.token-2']);
    cache.invalidate(account(), 'ya29.token-2');
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-3');
    expect([...secrets.live]).toEqual(['ya29.token-2', 'ya29.token-3']);
    cache.clear();
    expect(secrets.live.size).toBe(0);
  });

  it('answers at once with the valid token while a slow renewal is in flight, one renewal for all', async () => {
    let now = 0;
    const endpoint = tokenEndpoint();
    const cache = new VertexTokenCache(endpoint.exchange, noSecrets, () => now);
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    now = 3600_000 - 4 * 60_000; // inside the margin, valid for 4 more minutes
    endpoint.hold();
    const waited = await Promise.race([Promise.all([1, 2, 3].map(() => cache.accessToken(account(), signal()))), settled().then(() => 'still waiting')]);
    expect(waited).toEqual(['ya29.token-1', 'ya29.token-1', 'ya29.token-1']);
    expect(endpoint.calls()).toBe(2);
    endpoint.release();
    await settled();
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-2');
    expect(endpoint.calls()).toBe(2);
  });

  it('keeps the token in hand when its renewal fails (logged, retried after a pause), and fails once it has expired', async () => {
    let now = 0;
    const answers: TokenExchangeAnswer[] = [];
    const endpoint = tokenEndpoint(answers);
    const logged: string[] = [];
    const cache = new VertexTokenCache(endpoint.exchange, noSecrets, () => now, (message, detail) => logged.push(`${message} ${String(detail.error)}`));
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    now = 3600_000 - 4 * 60_000;
    answers.push({ status: 503, text: '{"error":"temporarily_unavailable"}' });
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    await settled();
    expect(logged).toEqual([expect.stringMatching(/renewal failed.*HTTP 503/)]);
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    expect(endpoint.calls()).toBe(2);
    now = 3600_000;
    answers.push({ status: 503, text: '{"error":"temporarily_unavailable"}' });
    await expect(cache.accessToken(account(), signal())).rejects.toMatchObject({ name: 'TokenUnavailableError', status: 503 });
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-2');
  });

  it.each<[string, number, number]>([
    ['a huge expires_in to a day', 1e12, 24 * 3600],
    ['a tiny expires_in to a minute', 0.001, 60],
    ['an expires_in in range to itself', 3599, 3599],
  ])('clamps %s', async (_case, expiresIn, lifetimeS) => {
    let now = 0;
    const endpoint = tokenEndpoint([], expiresIn);
    const cache = new VertexTokenCache(endpoint.exchange, noSecrets, () => now);
    const renewAt = lifetimeS * 1000 - Math.min(TOKEN_REFRESH_MARGIN_MS, (lifetimeS * 1000) / 2);
    for (now = 0; now < renewAt; now += renewAt / 20) await cache.accessToken(account(), signal());
    now = renewAt - 1;
    await cache.accessToken(account(), signal());
    expect(endpoint.calls()).toBe(1);
    now = renewAt;
    await cache.accessToken(account(), signal());
    await settled();
    expect(endpoint.calls()).toBe(2);
  });

  it.each<[string, string]>([
    ['no access_token', JSON.stringify({ expires_in: 3599 })],
    ['an access_token over the bound', JSON.stringify({ access_token: `ya29.${'x'.repeat(MAX_ACCESS_TOKEN_LENGTH)}`, expires_in: 3599 })],
    ['no expires_in', JSON.stringify({ access_token: 'ya29.abc' })],
    ['no JSON', '<html>OK</html>'],
  ])('reads a 200 with %s as the endpoint failing, not the key', async (_case, text) => {
    const { exchange } = exchanger([{ status: 200, text }]);
    await expect(new VertexTokenCache(exchange, noSecrets).accessToken(account(), signal())).rejects.toMatchObject({ name: 'TokenUnavailableError' });
  });

  it('drops a token Google refused, only while it is the one held', async () => {
    const cache = new VertexTokenCache(tokenEndpoint().exchange, noSecrets);
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    cache.invalidate(account(), 'ya29.some-older-token');
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-1');
    cache.invalidate(account(), 'ya29.token-1');
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-2');
    cache.invalidate(account());
    expect(await cache.accessToken(account(), signal())).toBe('ya29.token-3');
  });

  it('remembers a refusal per key for a backoff that grows, and asks again for a failing endpoint', async () => {
    let now = 0;
    const refused = (): TokenExchangeAnswer => ({ status: 400, text: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }) });
    const answers = [refused(), refused()];
    const endpoint = tokenEndpoint(answers);
    const cache = new VertexTokenCache(endpoint.exchange, noSecrets, () => now);
    for (let i = 0; i < 20; i++) await expect(cache.accessToken(account(), signal())).rejects.toBeInstanceOf(TokenRefusedError);
    expect(endpoint.calls()).toBe(1);
    now += REFUSAL_BACKOFF_MS;
    await expect(cache.accessToken(account(), signal())).rejects.toBeInstanceOf(TokenRefusedError);
    expect(endpoint.calls()).toBe(2);
    now += REFUSAL_BACKOFF_MS; // the second refusal in a row holds twice as long
    await expect(cache.accessToken(account(), signal())).rejects.toBeInstanceOf(TokenRefusedError);
    expect(endpoint.calls()).toBe(2);
    // Another key is asked at once; the cache holds neither key's text.
    expect(await cache.accessToken(account({ private_key_id: 'kid-2' }), signal())).toBe('ya29.token-1');
    expect(endpoint.calls()).toBe(3);
    expect(JSON.stringify([...(cache as unknown as { tokens: { entries: Map<string, unknown> } }).tokens.entries.keys()])).not.toContain('BEGIN');

    answers.push({ status: 503, text: '' }, { status: 503, text: '' });
    const other = account({ private_key_id: 'kid-3' });
    await expect(cache.accessToken(other, signal())).rejects.toMatchObject({ name: 'TokenUnavailableError' });
    await expect(cache.accessToken(other, signal())).rejects.toMatchObject({ name: 'TokenUnavailableError' });
    expect(endpoint.calls()).toBe(5);
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
