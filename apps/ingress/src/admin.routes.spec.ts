import Fastify, { type FastifyInstance } from 'fastify';
import { of } from 'rxjs';
import pino from 'pino';
import { registerAdminRoutes } from './admin.routes';
import { AdminSignInGuard, ADMIN_FAILURES_PER_WINDOW } from './admin-signin.guard';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { trustProxyOf } from './trust-proxy';

const TOKEN = 'admin-token-0123456789abcdef';
const PROXY = '10.0.0.5';

/** The admin routes on a Fastify instance as ingress builds it, every internal service answering an empty snapshot. */
async function adminApp(trustProxy: string): Promise<{ app: FastifyInstance; failures: string[]; calls: string[] }> {
  const app = Fastify({ trustProxy: trustProxyOf(trustProxy) });
  const failures: string[] = [];
  const calls: string[] = [];
  const snapshot = { providers: [], apiKeys: [], teams: [], fallbacks: {}, modelOverrides: [], revision: 1, errorActions: {} };
  const service = new Proxy(
    {},
    {
      get: (_target, name) => () => {
        calls.push(String(name));
        return of(name === 'getSnapshot' ? snapshot : { ...snapshot, errorActions: {} });
      },
    },
  );
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    registerAdminRoutes(scope, {
      auth: new ApiKeyAuthenticator({} as never, TOKEN, pino({ level: 'silent' })),
      config: service as never,
      router: service as never,
      keyVault: service as never,
      analytics: undefined,
      signIn: new AdminSignInGuard(),
      spend: {} as never,
      onSignInFailure: (address) => failures.push(address),
    });
  });
  await app.ready();
  return { app, failures, calls };
}

const providers = (app: FastifyInstance, token: string, client: string) =>
  app.inject({ method: 'GET', url: '/admin/v1/providers', remoteAddress: PROXY, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client } });

describe('admin routes behind an ingress controller', () => {
  it('with TRUST_PROXY naming the proxies, an attacker locks out only itself: the admin behind the same proxy signs in', async () => {
    const { app, failures } = await adminApp('10.0.0.0/8');
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) expect((await providers(app, 'wrong', '198.51.100.1')).statusCode).toBe(401);
    expect((await providers(app, 'wrong', '198.51.100.1')).statusCode).toBe(429);
    expect((await providers(app, TOKEN, '203.0.113.9')).statusCode).toBe(200);
    // The audit names the client, not the proxy.
    expect(new Set(failures)).toEqual(new Set(['198.51.100.1']));
  });

  it('without TRUST_PROXY, every client behind the proxy shares its address (the default: X-Forwarded-For is not believed)', async () => {
    const { app, failures } = await adminApp('');
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) await providers(app, 'wrong', '198.51.100.1');
    expect((await providers(app, TOKEN, '203.0.113.9')).statusCode).toBe(429);
    expect(new Set(failures)).toEqual(new Set([PROXY]));
  });

  it('believes X-Forwarded-For from a trusted hop only: a client reaching ingress directly cannot name its address', async () => {
    const { app, failures } = await adminApp('10.0.0.0/8');
    await app.inject({ method: 'GET', url: '/admin/v1/providers', remoteAddress: '192.0.2.7', headers: { authorization: 'Bearer wrong', 'x-forwarded-for': '203.0.113.9' } });
    expect(failures).toEqual(['192.0.2.7']);
  });
});

describe('admin routes, a forged client address', () => {
  it('counts a trusted hop that passes on an entry that is not an IP address (garbled, forged, 12 KB) as that hop, never as the text', async () => {
    const { app, failures } = await adminApp('10.0.0.0/8');
    const forged = `x${'A'.repeat(12_000)}`;
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) await providers(app, 'wrong', forged);
    expect(new Set(failures)).toEqual(new Set([PROXY]));
    expect((await providers(app, 'wrong', 'also-not-an-ip')).statusCode).toBe(429);
  });
});

describe('admin answers', () => {
  it.each([
    ['a success', TOKEN, 200],
    ['a refusal', 'wrong', 401],
  ])('are never cached and never sniffed: %s', async (_case, token, status) => {
    const { app } = await adminApp('');
    const answer = await providers(app, token, '203.0.113.9');
    expect(answer.statusCode).toBe(status);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('admin routes, hostile input', () => {
  it('refuses an error action that is not a string with a 400 naming errorActions, and stores nothing', async () => {
    const { app, calls } = await adminApp('');
    const answer = await app.inject({
      method: 'PUT',
      url: '/admin/v1/routing/error-actions',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: '{"errorActions":{"x":{"toString":1}}}',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { param: 'errorActions', type: 'invalid_request_error' } });
    expect(answer.body).not.toContain('Cannot convert');
    expect(calls).not.toContain('setErrorActions');
  });
});

describe('trustProxyOf', () => {
  it.each<[string, false | number | string]>([
    ['', false],
    ['  ', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 192.168.0.0/16', '10.0.0.0/8,192.168.0.0/16'],
    ['127.0.0.1', '127.0.0.1'],
  ])('%j -> %j', (setting, expected) => {
    expect(trustProxyOf(setting)).toEqual(expected);
  });

  it.each(['0.0.0.0/0', '10.0.0.0/8, ::/0', '::/00'])('refuses %j: it trusts every address', (setting) => {
    expect(() => trustProxyOf(setting)).toThrow(/trusts every address/);
  });
});
