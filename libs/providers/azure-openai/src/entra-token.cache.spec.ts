import { randomUUID } from 'node:crypto';
import { secretScrubber } from '@ai-gateway/logging';
import { fixtureText } from '../test/fixtures';
import { EntraTokenCache, EntraTokenError, MAX_CACHED_TOKENS, REFUSAL_BACKOFF_MS, type SecretRegistry, type TokenEndpointPost } from './entra-token.cache';
import { authorityHostOf, COGNITIVE_SERVICES_SCOPE, DEFAULT_AUTHORITY_HOST, entraTokenError, entraTokenRequest, readEntraToken } from './entra-token.wire';

const credentials = { tenantId: 'contoso.onmicrosoft.com', clientId: 'client-1', clientSecret: 'Qx8Q~abcdEFGHijklMNOPqrstUVWxyz0123456789' };

/** A token endpoint that answers from a script and counts its calls. */
function endpoint(answers: Array<{ status: number; text: string } | Error> = []) {
  let issued = 0;
  const calls: Array<{ url: string; form: URLSearchParams }> = [];
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const post: TokenEndpointPost = async (url, form) => {
    calls.push({ url, form: new URLSearchParams(form) });
    if (held) await held;
    const scripted = answers.shift();
    if (scripted instanceof Error) throw scripted;
    if (scripted) return scripted;
    issued += 1;
    return { status: 200, text: JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: `token-${issued}-${randomUUID()}` }) };
  };
  return {
    post,
    calls,
    hold: () => {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      held = undefined;
      release?.();
    },
  };
}

const signal = () => new AbortController().signal;
/** Lets a background renewal run to its end. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** The secrets registered and not yet forgotten. */
function registry(): SecretRegistry & { live: Set<string> } {
  const live = new Set<string>();
  return { live, register: (secret) => live.add(secret), forget: (secret) => live.delete(secret) };
}

const refusal = () => ({ status: 401, text: fixtureText('entra-error-invalid-client.json') });

describe('authorityHostOf (AZURE_AUTHORITY_HOST)', () => {
  it.each([
    [undefined, DEFAULT_AUTHORITY_HOST],
    ['', DEFAULT_AUTHORITY_HOST],
    ['https://login.microsoftonline.us/', 'https://login.microsoftonline.us'],
    ['http://127.0.0.1:4321', 'http://127.0.0.1:4321'],
  ])('%j is %s', (value, host) => {
    expect(authorityHostOf(value)).toBe(host);
  });

  it.each(['http://login.example.com', 'https://user:pw@login.example.com', 'https://login.example.com/?x=1', 'not a url', 'ftp://127.0.0.1'])(
    'refuses %s, naming the variable',
    (value) => {
      expect(() => authorityHostOf(value)).toThrow(/AZURE_AUTHORITY_HOST/);
    },
  );
});

describe('Entra ID token wire', () => {
  it('asks for a Cognitive Services token with the client credentials grant, tenant in the path', () => {
    const request = entraTokenRequest('https://login.example.test/', credentials);
    expect(request.url).toBe('https://login.example.test/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: credentials.clientSecret,
      scope: COGNITIVE_SERVICES_SCOPE,
    });
  });

  it('reads the recorded token answer and refuses what is no bearer token', () => {
    expect(readEntraToken(fixtureText('entra-token.json'))).toEqual({ accessToken: expect.stringMatching(/^eyJ/), expiresInSeconds: 3599 });
    expect(readEntraToken('{"token_type":"Bearer","expires_in":"3599","access_token":"abc"}')).toEqual({ accessToken: 'abc', expiresInSeconds: 3599 });
    expect(readEntraToken('{"token_type":"Bearer","expires_in":99999999,"access_token":"abc"}')?.expiresInSeconds).toBe(86400);
    expect(readEntraToken('{"token_type":"pop","expires_in":3599,"access_token":"abc"}')).toBeUndefined();
    expect(readEntraToken('{"expires_in":3599}')).toBeUndefined();
    expect(readEntraToken('<html>')).toBeUndefined();
  });

  it('makes a refused secret the provider key failing (401, not retried), with the AADSTS reason and no trace noise', () => {
    const error = entraTokenError(401, fixtureText('entra-error-invalid-client.json'));
    expect(error).toMatchObject({ upstreamStatus: 401, type: 'authentication_error', code: 'entra_token_refused', retryable: false });
    expect(error.message).toMatch(/^Entra ID token request refused \(HTTP 401, invalid_client\): AADSTS7000215: Invalid client secret provided/);
    expect(error.message).not.toContain('Trace ID');
    expect(entraTokenError(503, 'busy')).toMatchObject({ upstreamStatus: 503, retryable: true });
    expect(entraTokenError(429, '{}')).toMatchObject({ upstreamStatus: 429, retryable: true });
  });
});

describe('EntraTokenCache', () => {
  it('fetches once, serves the cached token, and renews it behind the requests inside the refresh margin', async () => {
    let now = 1_000_000;
    const fake = endpoint();
    const cache = new EntraTokenCache({ post: fake.post, now: () => now });
    expect(await cache.token(credentials, signal())).toMatch(/^token-1-/);
    now += 50 * 60_000;
    expect(await cache.token(credentials, signal())).toMatch(/^token-1-/);
    expect(fake.calls).toHaveLength(1);
    now += 6 * 60_000; // 56 minutes into a 60-minute token: inside the 5-minute margin
    expect(await cache.token(credentials, signal())).toMatch(/^token-1-/);
    await settled();
    expect(fake.calls).toHaveLength(2);
    expect(await cache.token(credentials, signal())).toMatch(/^token-2-/);
    expect(fake.calls).toHaveLength(2);
  });

  it('answers at once with the valid token while a slow renewal is in flight, one renewal for all', async () => {
    let now = 0;
    const fake = endpoint();
    const cache = new EntraTokenCache({ post: fake.post, now: () => now });
    const first = await cache.token(credentials, signal());
    now = 56 * 60_000;
    fake.hold();
    const waited = await Promise.race([Promise.all([1, 2, 3].map(() => cache.token(credentials, signal()))), settled().then(() => 'still waiting')]);
    expect(waited).toEqual([first, first, first]);
    expect(fake.calls).toHaveLength(2);
    fake.release();
    await settled();
    expect(await cache.token(credentials, signal())).toMatch(/^token-2-/);
    expect(fake.calls).toHaveLength(2);
  });

  it('shares one token request between concurrent callers', async () => {
    const fake = endpoint();
    fake.hold();
    const cache = new EntraTokenCache({ post: fake.post });
    const waiting = Promise.all([1, 2, 3].map(() => cache.token(credentials, signal())));
    await new Promise((resolve) => setImmediate(resolve));
    fake.release();
    const tokens = await waiting;
    expect(new Set(tokens).size).toBe(1);
    expect(fake.calls).toHaveLength(1);
  });

  it('keeps tokens apart per client credential', async () => {
    const fake = endpoint();
    const cache = new EntraTokenCache({ post: fake.post });
    const first = await cache.token(credentials, signal());
    const second = await cache.token({ ...credentials, clientSecret: 'another-secret-value-0123456789' }, signal());
    expect(first).not.toBe(second);
    expect(fake.calls).toHaveLength(2);
  });

  it('keeps the token in hand when its renewal fails (logged, retried after a pause), and fails once it has expired', async () => {
    let now = 0;
    const answers: Array<{ status: number; text: string }> = [];
    let issued = 0;
    let posts = 0;
    const post: TokenEndpointPost = async () => {
      posts += 1;
      return answers.shift() ?? { status: 200, text: JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: `tok-${++issued}` }) };
    };
    const logged: string[] = [];
    const cache = new EntraTokenCache({ post, now: () => now, logFailure: (message, detail) => logged.push(`${message} ${String(detail.error)}`) });
    expect(await cache.token(credentials, signal())).toBe('tok-1');
    now = 57 * 60_000;
    answers.push({ status: 503, text: 'busy' });
    expect(await cache.token(credentials, signal())).toBe('tok-1');
    await settled();
    expect(logged).toEqual([expect.stringMatching(/renewal failed.*HTTP 503/)]);
    expect(await cache.token(credentials, signal())).toBe('tok-1');
    expect(posts).toBe(2);
    now = 61 * 60_000;
    answers.push({ status: 503, text: 'busy' });
    await expect(cache.token(credentials, signal())).rejects.toBeInstanceOf(EntraTokenError);
    expect(await cache.token(credentials, signal())).toBe('tok-2');
  });

  it('fetches a new token after the old one was invalidated, only while it is the one held', async () => {
    const fake = endpoint();
    const cache = new EntraTokenCache({ post: fake.post });
    const first = await cache.token(credentials, signal());
    cache.invalidate(credentials, 'an-older-token');
    expect(await cache.token(credentials, signal())).toBe(first);
    cache.invalidate(credentials, first);
    const second = await cache.token(credentials, signal());
    expect(second).not.toBe(first);
    cache.invalidate(credentials);
    expect(await cache.token(credentials, signal())).not.toBe(second);
  });

  it('remembers a refused secret for a backoff that grows, and asks again for a failing endpoint', async () => {
    let now = 0;
    const fake = endpoint([refusal(), refusal()]);
    const cache = new EntraTokenCache({ post: fake.post, now: () => now });
    for (let i = 0; i < 20; i++) await expect(cache.token(credentials, signal())).rejects.toMatchObject({ error: { code: 'entra_token_refused', retryable: false } });
    expect(fake.calls).toHaveLength(1);
    now += REFUSAL_BACKOFF_MS;
    await expect(cache.token(credentials, signal())).rejects.toMatchObject({ error: { code: 'entra_token_refused' } });
    expect(fake.calls).toHaveLength(2);
    now += REFUSAL_BACKOFF_MS; // the second refusal in a row holds twice as long
    await expect(cache.token(credentials, signal())).rejects.toMatchObject({ error: { code: 'entra_token_refused' } });
    expect(fake.calls).toHaveLength(2);
    // Another secret is asked at once; the cache holds no secret's text.
    expect(await cache.token({ ...credentials, clientSecret: 'another-secret-value-0123456789' }, signal())).toMatch(/^token-1-/);
    expect(fake.calls).toHaveLength(3);
    expect(JSON.stringify([...(cache as unknown as { tokens: { entries: Map<string, unknown> } }).tokens.entries])).not.toContain(credentials.clientSecret);
    now += 2 * REFUSAL_BACKOFF_MS;
    expect(await cache.token(credentials, signal())).toMatch(/^token-2-/);

    const busy = endpoint([{ status: 503, text: 'busy' }, { status: 503, text: 'busy' }]);
    const failing = new EntraTokenCache({ post: busy.post });
    await expect(failing.token(credentials, signal())).rejects.toMatchObject({ error: { retryable: true } });
    await expect(failing.token(credentials, signal())).rejects.toMatchObject({ error: { retryable: true } });
    expect(busy.calls).toHaveLength(2);
  });

  it('keeps each token registered with the scrubber until it expires, also once replaced or dropped', async () => {
    let now = 0;
    const secrets = registry();
    const cache = new EntraTokenCache({ post: endpoint().post, now: () => now, secrets });
    const first = await cache.token(credentials, signal());
    expect([...secrets.live]).toEqual([first]);
    now = 56 * 60_000;
    await cache.token(credentials, signal());
    await settled();
    const second = await cache.token(credentials, signal());
    // Replaced, but requests in flight may still carry it until it expires.
    expect([...secrets.live]).toEqual([first, second]);
    now = 60 * 60_000;
    await cache.token(credentials, signal());
    expect([...secrets.live]).toEqual([second]);
    cache.invalidate(credentials, second);
    const third = await cache.token(credentials, signal());
    expect([...secrets.live]).toEqual([second, third]);
    cache.clear();
    expect(secrets.live.size).toBe(0);
  });

  it('registers its tokens with the process log scrubber by default', async () => {
    const cache = new EntraTokenCache({ post: endpoint().post });
    const token = await cache.token(credentials, signal());
    expect(secretScrubber.scrub(`Authorization: Bearer ${token}`)).toBe('Authorization: Bearer [redacted]');
    cache.clear();
    expect(secretScrubber.scrub(`Authorization: Bearer ${token}`)).toBe(`Authorization: Bearer ${token}`);
  });

  it('reports an unreachable endpoint as retryable, and a 200 without a token as malformed', async () => {
    const unreachable = new EntraTokenCache({ post: endpoint([new Error('ECONNREFUSED')]).post });
    await expect(unreachable.token(credentials, signal())).rejects.toMatchObject({ error: { code: 'entra_token_unavailable', retryable: true } });
    const malformed = new EntraTokenCache({ post: endpoint([{ status: 200, text: '{}' }]).post });
    await expect(malformed.token(credentials, signal())).rejects.toMatchObject({ error: { code: 'entra_token_malformed' } });
  });

  it('lets a caller whose request ended stop waiting, while the shared request goes on', async () => {
    const fake = endpoint();
    fake.hold();
    const cache = new EntraTokenCache({ post: fake.post });
    const controller = new AbortController();
    const gone = cache.token(credentials, controller.signal);
    const staying = cache.token(credentials, signal());
    controller.abort(new Error('client left'));
    await expect(gone).rejects.toThrow('client left');
    fake.release();
    expect(await staying).toMatch(/^token-1-/);
  });

  it('holds at most MAX_CACHED_TOKENS credentials', async () => {
    const cache = new EntraTokenCache({ post: endpoint().post });
    for (let i = 0; i <= MAX_CACHED_TOKENS; i++) await cache.token({ ...credentials, clientId: `client-${i}` }, signal());
    expect(cache.size).toBe(MAX_CACHED_TOKENS);
  });
});
