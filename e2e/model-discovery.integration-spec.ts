// Model discovery (issue 17): POST /admin/v1/providers/{id}/discover-models through ingress →
// router (which holds the provider's key) → the provider's GET /models, asked where the kind runs
// (the router itself, or the adapter service in service mode), then the models found
// applied to the provider and served through the official openai SDK. Hostile and failing
// providers, other kinds and bad bodies get bounded, OpenAI-shaped answers; the key is in none.
import OpenAI from 'openai';
import { ADAPTER_MODES, expectEventually, startFakeOpenAi, startGatewayStack, type AdapterMode, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const VLLM_KEY = 'sk-vllm-discoveryServerKey0123456789abcdefgh';
const ECHO_KEY = 'sk-echo-discoveryEchoedKey9876543210zyxwvu';
const SERVED = ['qwen2.5-coder-7b', 'meta-llama/Llama-3.2-3B-Instruct'];

interface Discovered {
  provider: string;
  models: string[];
  truncated: boolean;
  applied: boolean;
  added: string[];
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

describe.each(ADAPTER_MODES)('model discovery through the stack, adapters %s', (adapterMode: AdapterMode) => {
  let vllm: FakeOpenAi;
  let echo: FakeOpenAi;
  let stack: GatewayStack;
  const answers: string[] = [];

  beforeAll(async () => {
    vllm = await startFakeOpenAi({ validKeys: [VLLM_KEY], models: SERVED });
    // A hostile server listing the key it was called with among its models.
    echo = await startFakeOpenAi({ validKeys: [ECHO_KEY], models: ['fine-model', ECHO_KEY, `prefix-${ECHO_KEY.slice(3, 30)}`] });
    stack = await startGatewayStack({ adapterMode });
    for (const [id, upstream, key] of [['vllm', vllm, VLLM_KEY], ['echo', echo, ECHO_KEY]] as const) {
      expect((await stack.admin('PUT', `/admin/v1/providers/${id}`, { kind: 'openai', baseUrl: upstream.baseUrl })).status).toBe(201);
      expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: id, key })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await echo?.close();
    await vllm?.close();
  });

  const discover = async (provider: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const answer = await stack.admin('POST', `/admin/v1/providers/${provider}/discover-models`, body);
    answers.push(JSON.stringify(answer.body));
    return answer;
  };

  it('lists what the provider serves, asked with its key, without changing the provider', async () => {
    // The router learns the new key on its own: until then the server answers 401 (discovery_failed).
    const answer = await expectEventually(async () => {
      const found = await discover('vllm');
      expect(found.status).toBe(200);
      return found.body as Discovered;
    });
    expect(answer).toEqual({ provider: 'vllm', models: SERVED, truncated: false, applied: false, added: [] });
    const asked = vllm.requests.filter((r) => r.path === '/v1/models');
    expect(asked.at(-1)?.headers.authorization).toBe(`Bearer ${VLLM_KEY}`);
    const providers = (await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; models: string[] }>;
    expect(providers.find((p) => p.id === 'vllm')?.models).toEqual([]);
  });

  it('applies what it found: the provider declares the models, and the gateway serves them', async () => {
    const answer = (await discover('vllm', { apply: true })).body as Discovered;
    expect(answer).toMatchObject({ applied: true, added: SERVED });
    const providers = (await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; models: string[] }>;
    expect(providers.find((p) => p.id === 'vllm')?.models).toEqual(SERVED);
    // Applying again adds nothing.
    expect(((await discover('vllm', { apply: true })).body as Discovered).added).toEqual([]);
    const created = (await stack.admin('POST', '/admin/v1/api-keys', { name: 'discovery' })).body as { key: string };
    const client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    const completion = await expectEventually(() => client.chat.completions.create({ model: SERVED[1], messages: [{ role: 'user', content: 'hi' }] }).withResponse());
    expect(completion.response.headers.get('x-gateway-provider')).toBe('vllm');
    expect(vllm.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)?.body?.model).toBe(SERVED[1]);
  });

  it('leaves out a model id that carries the provider key', async () => {
    const answer = await expectEventually(async () => {
      const found = await discover('echo');
      expect(found.status).toBe(200);
      return found.body as Discovered;
    });
    expect(answer.models).toEqual(['fine-model']);
  });

  it('refuses kinds that are not OpenAI-compatible, unknown providers and bad bodies', async () => {
    const anthropic = await discover('anthropic');
    expect(anthropic.status).toBe(400);
    expect((anthropic.body as ErrorBody).error).toMatchObject({ type: 'invalid_request_error', code: 'discovery_unsupported' });
    expect((anthropic.body as ErrorBody).error.message).toContain('OpenAI-compatible');
    const missing = await discover('no-such-provider');
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error.code).toBe('provider_not_found');
    for (const body of [{ apply: 'yes' }, { apply: true, extra: 1 }]) {
      const bad = await discover('vllm', body);
      expect(bad.status).toBe(400);
      expect((bad.body as ErrorBody).error.type).toBe('invalid_request_error');
    }
  });

  it('answers 502 discovery_failed when the provider refuses the key or cannot be reached', async () => {
    vllm.setValidKeys(['sk-some-other-key-0000000000000000']);
    try {
      const refused = await discover('vllm');
      expect(refused.status).toBe(502);
      expect((refused.body as ErrorBody).error).toMatchObject({ code: 'discovery_failed' });
      expect((refused.body as ErrorBody).error.message).toContain('HTTP 401');
    } finally {
      vllm.setValidKeys([VLLM_KEY]);
    }
    expect((await stack.admin('PUT', '/admin/v1/providers/gone', { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1' })).status).toBe(201);
    const unreachable = await discover('gone');
    expect(unreachable.status).toBe(502);
    expect((unreachable.body as ErrorBody).error.code).toBe('discovery_failed');
  });

  if (adapterMode === 'service') {
    // The provider is reachable from the router's process too: only a router that delegates fails here.
    it('asks through the adapter service, never from the router: with adapter-openai stopped, 502 naming it', async () => {
      const asked = vllm.requests.filter((r) => r.path === '/v1/models').length;
      const port = stack.apps['adapter-openai'].ports.grpc;
      await stack.stopApp('adapter-openai');
      try {
        const answer = await discover('vllm');
        expect(answer.status).toBe(502);
        expect((answer.body as ErrorBody).error).toMatchObject({ type: 'api_error', code: 'discovery_failed' });
        expect((answer.body as ErrorBody).error.message).toContain('openai adapter service did not answer');
        expect(vllm.requests.filter((r) => r.path === '/v1/models')).toHaveLength(asked);
      } finally {
        await stack.startApp('adapter-openai', { GRPC_PORT: String(port) });
      }
      await expectEventually(async () => expect((await discover('vllm')).status).toBe(200), 15_000);
    }, 30_000);
  }

  it('never shows a provider key, whole or as any 16-character slice, in an answer or a log line', () => {
    const written = answers.join('\n') + stack.logText();
    const leaks: string[] = [];
    for (const secret of [VLLM_KEY, ECHO_KEY]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 8)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });
});
