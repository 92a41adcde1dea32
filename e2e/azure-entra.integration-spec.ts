// Azure OpenAI with Entra ID (issue 17) through the whole stack, in both adapter modes: the
// official openai SDK → ingress → router (the azure-openai adapter embedded, or its adapter
// service; AZURE_AUTHORITY_HOST pointing at the fake identity platform) → the fake Azure resource, which takes only Entra bearer tokens.
// The provider key is {"tenantId","clientId","clientSecret"}; tokens are cached (one token
// request for many calls) and replaced before they expire; the client secret and the tokens are
// in no log line, answer, usage event or metric.
import OpenAI from 'openai';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { UsageEvent } from '@ai-gateway/proto';
import {
  ADAPTER_MODES,
  expectEventually,
  startFakeAzureOpenAi,
  startFakeEntra,
  startGatewayStack,
  type FakeAzureOpenAi,
  type FakeEntra,
  type GatewayStack,
} from '@ai-gateway/testing';

const CLIENT = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: 'e2e-gateway-app', clientSecret: 'Qx8~entraE2eClientSecret.0123456789abcdefGH' };
/** A second app registration, for the refresh test: its tokens are issued with the shortest lifetime Entra is trusted for. */
const SHORT_CLIENT = { tenantId: CLIENT.tenantId, clientId: 'e2e-short-lived-app', clientSecret: 'Zr5~entraE2eShortSecret.9876543210zyxwvuTS' };
const ASK = [{ role: 'user' as const, content: 'Hi' }];
const SLICE = 16;

describe.each(ADAPTER_MODES)('Azure OpenAI with Entra ID end to end (adapters %s)', (adapterMode) => {
  let entra: FakeEntra;
  let azure: FakeAzureOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  let nc: NatsConnection;
  const events: UsageEvent[] = [];
  /** The events as published (protobuf strings are their UTF-8 bytes). */
  const rawEvents: string[] = [];
  const seen: string[] = [];

  const tokenRequestsOf = (clientId: string): number => entra.requests.filter((r) => r.form.client_id === clientId).length;
  const bearersSent = (): string[] => azure.requests.map((r) => r.headers.authorization ?? '').filter((h) => h.startsWith('Bearer '));

  beforeAll(async () => {
    entra = await startFakeEntra({ clients: [CLIENT, SHORT_CLIENT] });
    // No api-key is accepted: only tokens the fake identity platform issued.
    azure = await startFakeAzureOpenAi({ apiKeys: [], isValidToken: (token) => entra.isValidToken(token), deployments: { 'prod-gpt4o': 'gpt-4o-2024-08-06' } });
    // Every service gets it: in service mode the adapter service is the one that asks for tokens.
    stack = await startGatewayStack({ adapterMode, env: { AZURE_AUTHORITY_HOST: entra.url } });
    for (const id of ['azure', 'azure-short']) {
      const put = await stack.admin('PUT', `/admin/v1/providers/${id}`, { kind: 'azure-openai', baseUrl: azure.url, deployments: { 'gpt-4o': 'prod-gpt4o' } });
      expect(put.status).toBe(201);
      seen.push(JSON.stringify(put.body));
    }
    for (const [provider, credentials] of [['azure', CLIENT], ['azure-short', SHORT_CLIENT]] as const) {
      const added = await stack.admin('POST', '/admin/v1/provider-keys', { provider, key: JSON.stringify(credentials), name: provider });
      expect(added.status).toBe(201);
      seen.push(JSON.stringify(added.body));
    }
    seen.push(JSON.stringify((await stack.admin('GET', '/admin/v1/provider-keys')).body));
    expect((await stack.admin('PUT', '/admin/v1/routing/priority', { order: ['azure', 'azure-short'] })).status).toBe(200);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'entra-e2e' });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    nc = await connect({ servers: stack.nats.url });
    const subscription = nc.subscribe('gateway.usage.v1');
    void (async () => {
      for await (const message of subscription) {
        rawEvents.push(Buffer.from(message.data).toString('utf8'));
        events.push(UsageEvent.decode(message.data));
      }
    })();
    await expectEventually(async () => expect((await client.models.list()).data.map((model) => model.id)).toContain('gpt-4o'), 15_000);
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.close();
    await azure?.close();
    await entra?.close();
  });

  it('answers text with a bearer token from the client-credentials grant, never an api-key', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    seen.push(JSON.stringify(data));
    expect(data.choices[0].message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-provider')).toBe('azure');
    const sent = azure.requests.at(-1);
    expect(sent?.path).toBe('/openai/deployments/prod-gpt4o/chat/completions');
    expect(sent?.headers['api-key']).toBeUndefined();
    expect(entra.isValidToken((sent?.headers.authorization ?? '').slice('Bearer '.length))).toBe(true);
    const grant = entra.requests.find((r) => r.form.client_id === CLIENT.clientId);
    expect(grant).toMatchObject({ tenant: CLIENT.tenantId, form: { grant_type: 'client_credentials', client_secret: CLIENT.clientSecret, scope: 'https://cognitiveservices.azure.com/.default' } });
  });

  it('streams with the same token', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) {
      seen.push(JSON.stringify(chunk));
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    expect(new Set(bearersSent()).size).toBe(1);
  });

  it('caches the token: many calls, one token request', async () => {
    await Promise.all(Array.from({ length: 8 }, () => client.chat.completions.create({ model: 'gpt-4o', messages: ASK })));
    await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }).then(async (stream) => {
      for await (const chunk of stream) seen.push(JSON.stringify(chunk));
    });
    expect(tokenRequestsOf(CLIENT.clientId)).toBe(1);
    expect(new Set(bearersSent()).size).toBe(1);
    expect(azure.requests.length).toBeGreaterThanOrEqual(10);
  });

  it('replaces a short-lived token before it expires: a second token request, and every call answered', async () => {
    // Entra's shortest trusted lifetime (60 s, the adapter's floor): the token is replaced at half its life.
    entra.setExpiresInSeconds(60);
    const pinned = async (): Promise<void> => {
      const answer = await client.chat.completions.create({ model: 'azure-short/gpt-4o', messages: ASK });
      expect(answer.choices[0].message.content).toBeTruthy();
    };
    await pinned();
    expect(tokenRequestsOf(SHORT_CLIENT.clientId)).toBe(1);
    const firstToken = bearersSent().at(-1);
    // Wait for the state (a second token request), calling once a second meanwhile: every call succeeds.
    await expectEventually(
      async () => {
        await pinned();
        expect(tokenRequestsOf(SHORT_CLIENT.clientId)).toBe(2);
      },
      60_000,
      1_000,
    );
    // The renewal runs behind the calls (the call that started it went out with the token in hand):
    // the calls after it carry the new token.
    await expectEventually(
      async () => {
        await pinned();
        expect(bearersSent().at(-1)).not.toBe(firstToken);
      },
      10_000,
      200,
    );
    expect(tokenRequestsOf(SHORT_CLIENT.clientId)).toBe(2);
    // The first token was still valid when it was replaced (refreshed ahead of expiry, not after a refusal).
    expect(entra.isValidToken((firstToken ?? '').slice('Bearer '.length))).toBe(true);
  }, 90_000);

  it('never shows the client secret or a token, whole or as any 16-character slice, in logs, answers, usage events or metrics', async () => {
    await expectEventually(() => expect(events.filter((e) => e.provider === 'azure').length).toBeGreaterThanOrEqual(10), 15_000);
    expect(events.filter((e) => e.provider.startsWith('azure')).every((e) => e.outcome === 'success')).toBe(true);
    const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
    const written = [seen.join('\n'), stack.logText(), rawEvents.join('\n'), JSON.stringify(events), metrics].join('\n');
    const secrets = [CLIENT.clientSecret, SHORT_CLIENT.clientSecret, ...new Set(bearersSent().map((h) => h.slice('Bearer '.length)))];
    const leaks: string[] = [];
    for (const secret of secrets) {
      for (let i = 0; i + SLICE <= secret.length; i++) if (written.includes(secret.slice(i, i + SLICE))) leaks.push(`${secret.slice(0, 6)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });
});
