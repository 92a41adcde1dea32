// Teams, budgets and limits end to end, across two ingress replicas (each with its own router):
// the official openai SDK → ingress admission (reservations in NATS KV) → router → a fake OpenAI,
// spend settled from the usage stream.
import OpenAI from 'openai';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connectNats, KV_BUCKETS } from '@ai-gateway/nats';
import { costUsd, findModel } from '@ai-gateway/model-catalog';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-teamsProviderKey0123456789abcdef';
const REQUEST = { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };

interface Spend {
  spentUsd: number;
  reservedUsd: number;
  budget: number | null;
  inFlight: number;
  byModel: Record<string, number>;
}

describe('teams: budgets and limits across two ingress replicas', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let raceTeamId = '';
  const responses: string[] = [];

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, routers: 2 });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  const clientOn = (replica: number, key: string): OpenAI => new OpenAI({ apiKey: key, baseURL: `${stack.ingressUrls[replica]}/v1`, maxRetries: 0 });

  async function createTeam(body: Record<string, unknown>): Promise<string> {
    const created = await stack.admin('POST', '/admin/v1/teams', body);
    expect(created.status).toBe(201);
    return (created.body as { id: string }).id;
  }

  async function createKey(body: Record<string, unknown>): Promise<string> {
    return (await createKeyEntry(body)).key;
  }

  /** A new key, once both ingress replicas know it (each follows config's snapshot on its own). */
  async function createKeyEntry(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const created = await stack.admin('POST', '/admin/v1/api-keys', body);
    expect(created.status).toBe(201);
    const entry = created.body as { id: string; key: string };
    for (const url of stack.ingressUrls) {
      // Any answer but 401 (a replica whose router is stopped answers 503): the key is known there.
      await expectEventually(async () => expect((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${entry.key}` } })).status).not.toBe(401));
    }
    return entry;
  }

  /** PUT through every ingress replica: each answers once it applied the change itself. */
  async function putEverywhere(path: string, body: Record<string, unknown>): Promise<void> {
    for (const url of stack.ingressUrls) {
      const answer = await fetch(`${url}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBe(200);
    }
  }

  async function spendOf(teamId: string): Promise<Spend> {
    const answer = await stack.admin('GET', `/admin/v1/teams/${teamId}/spend`);
    expect(answer.status).toBe(200);
    return answer.body as Spend;
  }

  /** Waits for a minute window with room for a burst: fixed windows roll on the minute. */
  async function earlyInMinute(): Promise<void> {
    await expectEventually(() => expect(new Date().getUTCSeconds()).toBeLessThan(45), 20_000, 200);
  }

  it('admits exactly 20 of 200 parallel requests against a budget for 20, and settles the spend to the 20 answers’ usage', async () => {
    const teamId = await createTeam({ name: 'race', budget: { amountUsd: 1, period: 'month' } });
    raceTeamId = teamId;
    const key = await createKey({ name: 'race-key', teamId });

    // One request's reservation, read while it is held upstream: the budget is then set for exactly 20 of them.
    const release = upstream.holdAnswers();
    const probe = clientOn(0, key).chat.completions.create(REQUEST);
    await expectEventually(() => expect(upstream.heldRequests()).toBe(1));
    const reservation = (await spendOf(teamId)).reservedUsd;
    expect(reservation).toBeGreaterThan(0);
    release();
    const probeAnswer = await probe;
    await expectEventually(async () => expect((await spendOf(teamId)).inFlight).toBe(0));
    const before = (await spendOf(teamId)).spentUsd;
    await putEverywhere(`/admin/v1/teams/${teamId}`, { budget: { amountUsd: before + 20 * reservation, period: 'month' } });

    const hold = upstream.holdAnswers();
    let refused = 0;
    const outcomes = Array.from({ length: 200 }, (_, i) =>
      clientOn(i % 2, key)
        .chat.completions.create(REQUEST)
        .then(
          (completion) => ({ ok: true as const, completion }),
          (error: unknown) => {
            refused++;
            return { ok: false as const, error };
          },
        ),
    );
    await expectEventually(() => {
      expect(refused).toBe(180);
      expect(upstream.heldRequests()).toBe(20);
    }, 30_000);
    hold();
    const settled = await Promise.all(outcomes);
    const answers = settled.flatMap((o) => (o.ok ? [o.completion] : []));
    expect(answers).toHaveLength(20);
    for (const outcome of settled) {
      if (outcome.ok) continue;
      expect(outcome.error).toBeInstanceOf(OpenAI.RateLimitError);
      const error = outcome.error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error.status).toBe(429);
      expect(error.code).toBe('budget_exceeded');
      expect(error.type).toBe('insufficient_quota');
      expect(error.message).toContain(teamId);
      expect(error.headers?.get('x-should-retry')).toBe('false');
      responses.push(error.message);
    }

    const price = findModel('gpt-4o', 'openai');
    if (!price) throw new Error('gpt-4o missing from the catalog');
    const answered = answers.reduce(
      (sum, c) => sum + costUsd(price, { promptTokens: c.usage?.prompt_tokens ?? 0, completionTokens: c.usage?.completion_tokens ?? 0, cachedPromptTokens: c.usage?.prompt_tokens_details?.cached_tokens ?? 0 }),
      0,
    );
    expect(answered).toBeGreaterThan(0);
    expect(probeAnswer.usage?.total_tokens).toBeGreaterThan(0);
    await expectEventually(async () => {
      const spend = await spendOf(teamId);
      expect(spend.inFlight).toBe(0);
      expect(spend.reservedUsd).toBe(0);
      expect(spend.spentUsd).toBeCloseTo(before + answered, 12);
      expect(spend.byModel['gpt-4o']).toBeCloseTo(before + answered, 12);
    }, 20_000);
  });

  it('exports the team’s spend, budget and remaining budget as Prometheus series from every ingress replica', async () => {
    const spend = await spendOf(raceTeamId);
    for (const app of ['ingress-0', 'ingress-1']) {
      const text = await (await fetch(stack.metricsUrl(app))).text();
      const value = (name: string): number => Number(new RegExp(`^${name}\\{team_id="${raceTeamId}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('gen_ai_gateway_team_spend_usd')).toBeCloseTo(spend.spentUsd, 9);
      expect(value('gen_ai_gateway_team_budget_usd')).toBeCloseTo(spend.budget ?? NaN, 9);
      expect(value('gen_ai_gateway_team_budget_remaining_usd')).toBeCloseTo((spend.budget ?? 0) - spend.spentUsd, 9);
    }
  });

  it('holds an RPM limit across both replicas, with the x-ratelimit-* headers of the gateway’s own limit', async () => {
    const key = await createKey({ name: 'rpm-key', limits: { rpm: 10 } });
    await earlyInMinute();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => clientOn(i % 2, key).chat.completions.create(REQUEST)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refusal = results.find((r) => r.status === 'rejected')?.reason as InstanceType<typeof OpenAI.RateLimitError>;
    expect(refusal).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refusal.code).toBe('rate_limit_exceeded');
    expect(refusal.headers?.get('x-ratelimit-limit-requests')).toBe('10');
    expect(refusal.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refusal.headers?.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    expect(Number(refusal.headers?.get('retry-after'))).toBeGreaterThan(0);
  });

  it('applies a limit raised through the admin API to the next request', async () => {
    const teamId = await createTeam({ name: 'raise', limits: { rpm: 2 } });
    const key = await createKey({ name: 'raise-key', teamId });
    await earlyInMinute();
    const client = clientOn(0, key);
    await client.chat.completions.create(REQUEST);
    await client.chat.completions.create(REQUEST);
    await expect(client.chat.completions.create(REQUEST)).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((await stack.admin('PUT', `/admin/v1/teams/${teamId}`, { limits: { rpm: 5 } })).status).toBe(200);
    const next = await client.chat.completions.create(REQUEST);
    expect(next.choices[0].message.content).toBeTruthy();
  });

  it('settles a stream the client asked no usage for, and admits embeddings under the same limits', async () => {
    const teamId = await createTeam({ name: 'stream', limits: { rpm: 3 } });
    const key = await createKey({ name: 'stream-key', teamId });
    await earlyInMinute();
    const stream = await clientOn(1, key).chat.completions.create({ ...REQUEST, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    await expectEventually(async () => {
      const spend = await spendOf(teamId);
      expect(spend.inFlight).toBe(0);
      expect(spend.spentUsd).toBeGreaterThan(0);
    });
    const embedded = await clientOn(0, key).embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedded.data).toHaveLength(1);
    await clientOn(1, key).embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    await expect(clientOn(0, key).embeddings.create({ model: 'text-embedding-3-small', input: 'hello' })).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('charges a stream the client leaves mid-answer what it was sent (it cost nothing before), and frees its slot', async () => {
    const teamId = await createTeam({ name: 'leaver', budget: { amountUsd: 100, period: 'day' } });
    const key = await createKey({ name: 'leaver-key', teamId });
    upstream.enqueue({ kind: 'stall_after_chunks', chunks: 4 });
    const controller = new AbortController();
    const stream = await clientOn(0, key).chat.completions.create({ ...REQUEST, stream: true }, { signal: controller.signal });
    let received = 0;
    await (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) received++;
        if (received === 2) controller.abort();
      }
    })().catch(() => undefined);
    expect(received).toBe(2);
    await expectEventually(async () => {
      const spend = await spendOf(teamId);
      expect(spend.inFlight).toBe(0);
      expect(spend.spentUsd).toBeGreaterThan(0);
    });
  });

  it('lets a client on concurrent: 1 send its next request the moment it has its answer, answers and streams alike', async () => {
    const teamId = await createTeam({ name: 'sequential', limits: { concurrent: 1 } });
    const client = clientOn(0, await createKey({ name: 'sequential-key', teamId }));
    for (let i = 0; i < 20; i++) expect((await client.chat.completions.create(REQUEST)).choices).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      let text = '';
      for await (const chunk of await client.chat.completions.create({ ...REQUEST, stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text.length).toBeGreaterThan(0);
    }
    await expectEventually(async () => expect((await spendOf(teamId)).inFlight).toBe(0));
  });

  it("charges the team and frees its slot for a request whose key was deleted while it ran (the team's other keys are not locked out)", async () => {
    const teamId = await createTeam({ name: 'deleted-key', limits: { concurrent: 1 }, budget: { amountUsd: 100, period: 'day' } });
    const doomed = await createKeyEntry({ name: 'doomed', teamId });
    const other = await createKey({ name: 'other', teamId });
    const before = (await spendOf(teamId)).spentUsd;
    const release = upstream.holdAnswers();
    let answered: Promise<unknown>;
    try {
      answered = clientOn(0, doomed.key).chat.completions.create(REQUEST);
      await expectEventually(async () => expect((await spendOf(teamId)).inFlight).toBe(1));
      expect((await stack.admin('DELETE', `/admin/v1/api-keys/${doomed.id}`)).status).toBe(204);
    } finally {
      release();
    }
    await answered;
    await expectEventually(async () => {
      const spend = await spendOf(teamId);
      expect(spend.inFlight).toBe(0);
      expect(spend.spentUsd).toBeGreaterThan(before);
    });
    expect((await clientOn(1, other).chat.completions.create(REQUEST)).choices).toHaveLength(1);
  });

  it('hands spend settling only the events of requests admitted against limits: a key without limits costs the settler nothing', async () => {
    const nc = await connectNats(stack.nats.url, 'teams-spend-consumer');
    try {
      const jsm = await jetstreamManager(nc);
      const consumer = async (): Promise<{ delivered: number; pending: number; unacknowledged: number }> => {
        const info = await jsm.consumers.info('GATEWAY_USAGE', 'ingress-spend');
        return { delivered: info.delivered.consumer_seq, pending: info.num_pending, unacknowledged: info.num_ack_pending };
      };
      const teamId = await createTeam({ name: 'settled-only', budget: { amountUsd: 100, period: 'day' } });
      const limited = await createKey({ name: 'settled-key', teamId });
      const free = await createKey({ name: 'free-key' });
      await expectEventually(async () => expect(await consumer()).toMatchObject({ pending: 0, unacknowledged: 0 }));
      const before = (await consumer()).delivered;
      // Each answer completes after its event is stored: the free key's events precede the team key's in the stream.
      for (let i = 0; i < 6; i++) await clientOn(i % 2, free).chat.completions.create(REQUEST);
      for (let i = 0; i < 2; i++) await clientOn(i % 2, limited).chat.completions.create(REQUEST);
      await expectEventually(async () => expect(await consumer()).toEqual({ delivered: before + 2, pending: 0, unacknowledged: 0 }));
      await expectEventually(async () => {
        const spend = await spendOf(teamId);
        expect(spend.inFlight).toBe(0);
        expect(spend.spentUsd).toBeGreaterThan(0);
      });
    } finally {
      await nc.close();
    }
  });

  it('holds a TPM limit: a request whose worst case does not fit is refused before the provider sees it', async () => {
    const key = await createKey({ name: 'tpm-key', limits: { tpm: 100 } });
    const seen = upstream.chatRequests();
    await expect(clientOn(1, key).chat.completions.create({ ...REQUEST, max_tokens: 500 })).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens' });
    expect(upstream.chatRequests()).toBe(seen);
  });

  it('leaks no reservation when a router is stopped mid-request: the request’s slot frees', async () => {
    const key = await createKey({ name: 'restart-key', limits: { concurrent: 1 } });
    const release = upstream.holdAnswers();
    const inFlight = clientOn(1, key).chat.completions.create(REQUEST).catch((error: unknown) => error);
    await expectEventually(() => expect(upstream.heldRequests()).toBe(1));
    await expect(clientOn(0, key).chat.completions.create(REQUEST)).rejects.toMatchObject({ status: 429, code: 'concurrency_limit_exceeded' });
    await stack.stopApp('router-1');
    release();
    expect(await inFlight).toBeInstanceOf(OpenAI.APIError);
    await expectEventually(async () => {
      const answer = await clientOn(0, key).chat.completions.create(REQUEST);
      expect(answer.choices).toHaveLength(1);
    }, 20_000);
  });

  it('lets the reservation of a replica that died (never settled) expire: its slot frees without any event', async () => {
    const { id, key } = await createKeyEntry({ name: 'orphan-key', limits: { concurrent: 1 } });
    // What a replica killed between reserving and routing leaves in the shared state: one reservation, no usage event ever.
    const nc = await connectNats(stack.nats.url, 'dead-replica');
    try {
      const limits = await new Kvm(nc).open(KV_BUCKETS.limits);
      const orphan = { usd: 0.001, tokens: 100, expiresAtMs: Date.now() + 5_000, windowStartMs: 0 };
      await limits.put(
        `key.${id}`,
        JSON.stringify({ period: 'total', spentUsd: 0, byModel: {}, byProvider: {}, window: { startMs: 0, requests: 0, tokens: 0 }, reservations: { req_orphan: orphan } }),
      );
    } finally {
      await nc.drain();
    }
    await expect(clientOn(0, key).chat.completions.create(REQUEST)).rejects.toMatchObject({ status: 429, code: 'concurrency_limit_exceeded' });
    // ingress-0: router-1, behind ingress-1, was stopped by the test before.
    await expectEventually(async () => {
      const answer = await clientOn(0, key).chat.completions.create(REQUEST);
      expect(answer.choices).toHaveLength(1);
    }, 20_000, 250);
    await expectEventually(async () => {
      const spend = (await stack.admin('GET', `/admin/v1/api-keys/${id}/spend`)).body as Spend;
      expect(spend).toMatchObject({ reservedUsd: 0, inFlight: 0 });
    });
  });

  it('refuses a key once it expired (401), and a model outside its team’s allow-list (403)', async () => {
    const teamId = await createTeam({ name: 'narrow', allowedModels: ['gpt-4o-mini'] });
    const narrow = await createKey({ name: 'narrow-key', teamId });
    await expect(clientOn(0, narrow).chat.completions.create(REQUEST)).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    const expiring = await createKey({ name: 'expiring', expiresAt: new Date(Date.now() + 5_000).toISOString() });
    expect((await clientOn(0, expiring).chat.completions.create(REQUEST)).choices).toHaveLength(1);
    await expectEventually(async () => {
      const refused = await clientOn(0, expiring).chat.completions.create(REQUEST).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((refused as Error).message).toContain('expired');
    }, 15_000, 250);
  });

  it('never writes the provider key to a log or an answer', () => {
    const written = stack.logText() + responses.join('\n');
    const leaks: string[] = [];
    for (let i = 0; i + 16 <= PROVIDER_KEY.length; i++) if (written.includes(PROVIDER_KEY.slice(i, i + 16))) leaks.push(`[${i}]`);
    expect(leaks).toEqual([]);
    expect(written.length).toBeGreaterThan(1000);
  });
});
