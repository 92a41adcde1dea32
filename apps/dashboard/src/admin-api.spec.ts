import { AdminApi, AdminApiError, errorFromResponse, UnauthorizedError, type FetchLike } from './admin-api.js';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(answers: Array<{ status: number; body?: unknown; text?: string }>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const answer = answers.shift() ?? { status: 500, text: 'no answer queued' };
    const text = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    return new Response(answer.status === 204 ? null : text, { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

const TOKEN = 'admin-token-0123456789abcdef';

describe('admin API client', () => {
  it('sends the admin token and JSON, and returns the parsed answer', async () => {
    const providers = [{ id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 1, models: [] }];
    const { fetch, calls } = fakeFetch([{ status: 200, body: providers }, { status: 200, body: { order: ['anthropic', 'openai'] } }]);
    const api = new AdminApi({ token: TOKEN, baseUrl: 'http://gw.test/', fetch });
    await expect(api.listProviders()).resolves.toEqual(providers);
    await expect(api.setPriority(['anthropic', 'openai'])).resolves.toEqual({ order: ['anthropic', 'openai'] });
    expect(calls[0]).toMatchObject({ url: 'http://gw.test/admin/v1/providers', method: 'GET', body: undefined });
    expect(calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(calls[0].headers['content-type']).toBeUndefined();
    expect(calls[1]).toMatchObject({ url: 'http://gw.test/admin/v1/routing/priority', method: 'PUT', body: { order: ['anthropic', 'openai'] } });
    expect(calls[1].headers['content-type']).toBe('application/json');
  });

  it('calls each admin route with its method, path (ids encoded) and body', async () => {
    const entry = { id: 'k/1', provider: 'openai', name: 'primary', last4: 'cdef', createdAt: '2025-01-01T00:00:00Z', rotatedAt: null };
    const { fetch, calls } = fakeFetch([
      { status: 200, body: { id: 'vllm' } },
      { status: 200, body: { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } } },
      { status: 200, body: { fallbacks: {} } },
      { status: 201, body: entry },
      { status: 200, body: entry },
      { status: 204 },
      { status: 201, body: { id: 'a1', name: 'team-a', key: 'gw-secret', allowedModels: [], createdAt: '' } },
      { status: 204 },
      { status: 200, body: [] },
    ]);
    const api = new AdminApi({ token: TOKEN, fetch });
    await api.updateProvider('vllm', { enabled: false });
    await expect(api.getFallbacks()).resolves.toEqual({ 'gpt-4o': ['claude-3-5-sonnet'] });
    await expect(api.setFallbacks({})).resolves.toEqual({});
    await expect(api.addProviderKey({ provider: 'openai', key: 'sk-x', name: 'primary' })).resolves.toEqual(entry);
    await api.rotateProviderKey('k/1', 'sk-y');
    await expect(api.deleteProviderKey('k/1')).resolves.toBeUndefined();
    await expect(api.createApiKey({ name: 'team-a' })).resolves.toMatchObject({ key: 'gw-secret' });
    await api.deleteApiKey('a1');
    await api.providerHealth();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'PUT /admin/v1/providers/vllm',
      'GET /admin/v1/routing/fallbacks',
      'PUT /admin/v1/routing/fallbacks',
      'POST /admin/v1/provider-keys',
      'POST /admin/v1/provider-keys/k%2F1/rotate',
      'DELETE /admin/v1/provider-keys/k%2F1',
      'POST /admin/v1/api-keys',
      'DELETE /admin/v1/api-keys/a1',
      'GET /admin/v1/analytics/providers',
    ]);
    expect(calls[0].body).toEqual({ enabled: false });
    expect(calls[2].body).toEqual({ fallbacks: {} });
    expect(calls[4].body).toEqual({ key: 'sk-y' });
  });

  it('calls the team routes: list, create, change (partial body), spend, delete (ids encoded)', async () => {
    const team = { id: 't/1', name: 'search', allowedModels: [], budget: { amountUsd: 5, period: 'week' }, limits: { rpm: 60 }, createdAt: '' };
    const { fetch, calls } = fakeFetch([
      { status: 200, body: [team] },
      { status: 201, body: team },
      { status: 200, body: team },
      { status: 200, body: { spentUsd: 1, reservedUsd: 0, budget: 5, period: 'week', remainingUsd: 4, resetsAt: null, inFlight: 0 } },
      { status: 204 },
    ]);
    const api = new AdminApi({ token: TOKEN, fetch });
    await expect(api.listTeams()).resolves.toEqual([team]);
    await api.createTeam({ name: 'search', budget: { amountUsd: 5, period: 'week' }, limits: { rpm: 60 } });
    await api.updateTeam('t/1', { limits: null });
    await expect(api.teamSpend('t/1')).resolves.toMatchObject({ spentUsd: 1, remainingUsd: 4 });
    await api.deleteTeam('t/1');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /admin/v1/teams',
      'POST /admin/v1/teams',
      'PUT /admin/v1/teams/t%2F1',
      'GET /admin/v1/teams/t%2F1/spend',
      'DELETE /admin/v1/teams/t%2F1',
    ]);
    expect(calls[2].body).toEqual({ limits: null });
  });

  it('turns an OpenAI-shaped error into its message, status, code and param', async () => {
    const { fetch } = fakeFetch([
      { status: 400, body: { error: { message: 'fallbacks form a cycle: a → b → a', type: 'invalid_request_error', param: 'fallbacks', code: 'invalid_fallbacks' } } },
    ]);
    const error = await new AdminApi({ token: TOKEN, fetch }).setFallbacks({ a: ['b'], b: ['a'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ message: 'fallbacks form a cycle: a → b → a', status: 400, code: 'invalid_fallbacks', param: 'fallbacks' });
  });

  it('makes a 401 an UnauthorizedError (the session ends)', async () => {
    const { fetch } = fakeFetch([{ status: 401, body: { error: { message: 'The admin API needs a token.', type: 'authentication_error', param: null, code: 'invalid_admin_token' } } }]);
    const error = await new AdminApi({ token: 'wrong', fetch }).listApiKeys().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_admin_token', message: 'The admin API needs a token.' });
  });

  it('describes answers that are not OpenAI-shaped, and unreachable gateways', async () => {
    expect(errorFromResponse(502, '<html>Bad gateway</html>').message).toBe('The gateway answered 502: <html>Bad gateway</html>');
    expect(errorFromResponse(500, '').message).toBe('The gateway answered 500.');
    expect(errorFromResponse(503, JSON.stringify({ error: 'nope' })).message).toBe('The gateway answered 503: {"error":"nope"}');
    const offline: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(new AdminApi({ token: TOKEN, fetch: offline }).listProviders()).rejects.toMatchObject({
      status: 0,
      message: 'The gateway could not be reached (Failed to fetch).',
    });
  });

  it('refuses a 200 whose body is not JSON', async () => {
    const { fetch } = fakeFetch([{ status: 200, text: 'not json' }]);
    await expect(new AdminApi({ token: TOKEN, fetch }).listProviders()).rejects.toMatchObject({ status: 200 });
  });
});
