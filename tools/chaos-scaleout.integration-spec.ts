// Scale-out, proven (issue 21): a three-node JetStream cluster (buckets and streams on three
// replicas) and two replicas of every service (an adapter service in service mode included), each
// its own process, every caller reaching every replica it calls; two clients through a TCP
// balancer in front of the two ingress replicas (as a Kubernetes Service). Under steady load, in
// turn: kill -9 of a NATS node (brought back), a restart of the JetStream meta leader, and kill -9
// of one replica of each service (brought back). For each: failed requests, outage, usage events
// lost and duplicated. Afterwards a key revocation is confirmed by every live router and a config
// change is seen through every replica.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  expectEventually,
  REPO_ROOT,
  startFakeOpenAi,
  startNatsCluster,
  startTcpBalancer,
  testServiceCredentials,
  type FakeOpenAi,
  type NatsClusterHandle,
  type TcpBalancer,
} from '@ai-gateway/testing';
import { request, seconds, usageCounts, type Outcome } from './chaos/load';
import { killStack, lastLines, launchService, startStack, waitHealthy, within, type Running } from './image/service-harness';
import { planStack, type ServicePlan, type Stack } from './image/stack-plan';

const PROVIDER_KEY = 'sk-proj-scaleoutProviderKey0123456789ab';
const CLIENTS = 2;
const INTERVAL_MS = 100;
const LEAD_MS = 700;
const TAIL_MS = 3_000;
const DOWN_MS = 1_000;
const MAX_PER_CLIENT = 150;

interface Row {
  fault: string;
  sent: number;
  failed: number;
  outageS: number;
  lost: number;
  duplicated: number;
  failures: string;
}

describe('scale-out: a three-node JetStream cluster and two replicas of every service, faults under load', () => {
  let upstream: FakeOpenAi;
  let cluster: NatsClusterHandle;
  let stack: Stack;
  let balancer: TcpBalancer;
  let apiKey: string;
  let dataDir: string;
  let nc: NatsConnection | undefined;
  const running: Running[] = [];
  const rows: Row[] = [];
  const adminToken = `admin-scaleout-${Date.now()}-0123456789abcdef`;

  const launch = (plan: ServicePlan) =>
    spawn(process.execPath, [join(REPO_ROOT, 'tools/jest/run-ts-service.cjs'), `apps/${plan.name}/src/main.ts`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, ...plan.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const instance = (name: string): Running => {
    const found = running.find((r) => r.instance === name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  };
  /** kill -9 (down DOWN_MS) or SIGTERM (drained: a rolling restart), then started again on its ports until healthy. */
  const restart = async (name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    const target = instance(name);
    target.process.kill(signal);
    const exit = await within(target.exit, 15_000);
    if (!exit) throw new Error(`${name} did not exit after ${signal}\n${lastLines(target)}`);
    if (signal === 'SIGTERM' && exit.code !== 0) throw new Error(`${name} exited ${exit.code ?? exit.signal} after SIGTERM\n${lastLines(target)}`);
    if (signal === 'SIGKILL') await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const plan = stack.services.find((s) => s.instance === name) as ServicePlan;
    const index = running.indexOf(target);
    running[index] = launchService(plan, launch);
    await waitHealthy(stack, running[index], running, 45_000);
  };
  const admin = async (method: string, path: string, body?: unknown, base = balancer.url): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  async function underLoad(fault: () => Promise<void>): Promise<{ outcomes: Outcome[]; faultAt: number; readyAt: number }> {
    const outcomes: Outcome[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < MAX_PER_CLIENT && Date.now() < stopAt; i++) {
        pending.push(request(balancer.url, apiKey, (i + client) % 2 === 0).then((o) => void outcomes.push(o)));
        await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
      }
      await Promise.all(pending);
    });
    await new Promise((resolve) => setTimeout(resolve, LEAD_MS));
    const faultAt = Date.now();
    let faultError: unknown;
    await fault().catch((error: unknown) => (faultError = error));
    const readyAt = Date.now();
    stopAt = readyAt + TAIL_MS;
    await Promise.all(clients);
    if (faultError) throw faultError;
    return { outcomes, faultAt, readyAt };
  }

  /** The row; exactly one usage event for every answered request, always; `allowed` names the failures a fault explains. */
  async function check(fault: string, { outcomes, faultAt }: { outcomes: Outcome[]; faultAt: number }, allowed: RegExp | undefined): Promise<void> {
    const failed = outcomes.filter((o) => !o.ok);
    const answered = outcomes.filter((o) => o.gatewayId);
    const jsm = await jetstreamManager(nc as NatsConnection);
    let counts = new Map<string, number>();
    await expectEventually(
      async () => {
        counts = await usageCounts(jsm);
        if (answered.some((o) => !counts.get(o.gatewayId as string))) throw new Error('events still arriving');
      },
      20_000,
      500,
    ).catch(() => undefined);
    const byReason = new Map<string, number>();
    for (const o of failed) byReason.set(o.failure as string, (byReason.get(o.failure as string) ?? 0) + 1);
    const row: Row = {
      fault,
      sent: outcomes.length,
      failed: failed.length,
      outageS: failed.length ? seconds(Math.max(...failed.map((o) => o.endedAt)) - Math.min(...failed.map((o) => o.startedAt))) : 0,
      lost: answered.filter((o) => !counts.get(o.gatewayId as string)).length,
      duplicated: answered.filter((o) => (counts.get(o.gatewayId as string) ?? 0) > 1).length,
      failures: [...byReason].map(([reason, n]) => `${n}× ${reason}`).join('; '),
    };
    rows.push(row);
    console.log(`scale-out: ${JSON.stringify(row)}`);
    expect({ fault, lost: row.lost, duplicated: row.duplicated }).toEqual({ fault, lost: 0, duplicated: 0 });
    const unexplained = failed.filter((o) => !allowed?.test(o.failure as string));
    // With unexplained failures, every warning the services logged from a second before the fault goes into the report
    // (e.g. a router whose lease lapsed), those that only repeat a failed request left out: they are the symptom, already counted.
    const loggedAt = (line: string): number => Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '') || 0;
    const warnings =
      unexplained.length === 0
        ? []
        : running.flatMap((app) =>
            app.output
              .filter((line) => /"level":"(warn|error|fatal)"/.test(line) && !line.includes('"msg":"request failed"') && loggedAt(line) >= faultAt - 1_000)
              .slice(-20)
              .map((line) => `${app.instance}: ${line.slice(0, 400)}`),
          );
    // Each distinct failure with what the client read and when, in seconds from the fault's start.
    const when = (o: Outcome): string => `${seconds(o.startedAt - faultAt)}..${seconds(o.endedAt - faultAt)} s`;
    const seen = new Map<string, Outcome[]>();
    for (const o of unexplained) seen.set(`${o.failure}: ${o.detail ?? ''}`, [...(seen.get(`${o.failure}: ${o.detail ?? ''}`) ?? []), o]);
    const details = [...seen].map(([what, of]) => `${of.length}× ${what} (first ${when(of[0])}, last ${when(of[of.length - 1])})`);
    if (unexplained.length > 0) console.log(`scale-out: ${fault}: unexplained failures\n${details.join('\n')}\nwarnings from a second before the fault:\n${warnings.join('\n')}`);
    expect({ fault, unexplained: details }).toEqual({ fault, unexplained: [] });
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(outcomes.length / 2);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scaleout-'));
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], chunkDelayMs: 20 });
    cluster = await startNatsCluster(3);
    stack = await planStack(
      { natsUrl: cluster.url, adminToken, service: testServiceCredentials(), dataDir, openaiBaseUrl: upstream.baseUrl },
      {
        replicas: 2,
        jetstreamReplicas: 3,
        // One adapter service (OpenAI's) stands for service mode; the other kinds stay embedded.
        adapters: ['adapter-openai'],
        logLevel: 'warn',
        // Longer than clients' keep-alive timeout (4 s), as in production (25 s): a draining ingress waits for their idle connections.
        drainTimeoutMs: 10_000,
      },
    );
    await startStack(stack, launch, running);
    // As a Service: a replica whose /readyz fails (a drain began) gets no new connection.
    balancer = await startTcpBalancer(
      stack.ingressUrls.map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) })),
      { readyPath: '/readyz', readyEveryMs: 50 },
    );
    nc = await connect({ servers: cluster.url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    expect((await admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY, name: 'scaleout' })).status).toBe(201);
    apiKey = ((await admin('POST', '/admin/v1/api-keys', { name: 'scaleout' })).body as { key: string }).key;
    await expectEventually(async () => {
      for (const stream of [false, true, false, true]) {
        const outcome = await request(balancer.url, apiKey, stream);
        if (!outcome.ok) throw new Error(`not serving yet: ${outcome.failure}`);
      }
    }, 30_000, 200);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('GATEWAY_USAGE')).config.num_replicas).toBe(3);
  }, 180_000);

  afterAll(async () => {
    if (rows.length) {
      console.log(
        [
          'scale-out: figures per fault (outage = first failure to last)',
          ...rows.map((r) => `${r.fault.padEnd(36)} sent ${String(r.sent).padStart(3)}  failed ${String(r.failed).padStart(3)}  outage ${r.outageS.toFixed(1).padStart(4)} s  events lost ${r.lost}  duplicated ${r.duplicated}${r.failures ? `  (${r.failures})` : ''}`),
        ].join('\n'),
      );
    }
    await nc?.close().catch(() => undefined);
    await balancer?.close();
    await killStack(running);
    await cluster?.dispose();
    await upstream?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  // The hardest single NATS fault for the routers: their leases bucket has no leader until the
  // survivors' election timeout passes (6.6-8.3 s measured with nats-server 2.15.2), and no lease
  // can be renewed meanwhile. The meta leader is another node, so this is the bucket's fault alone.
  it('kill -9 of the NATS node leading the routers\' leases bucket (not the meta leader), brought back: no failure, no event lost or duplicated', async () => {
    const jsm = await jetstreamManager(nc as NatsConnection);
    const leasesLeader = async (): Promise<string | undefined> => (await jsm.streams.info('KV_gateway_router_leases')).cluster?.leader;
    const meta = await cluster.metaLeader();
    await expectEventually(async () => {
      if ((await leasesLeader()) === meta?.name) await (nc as NatsConnection).request('$JS.API.STREAM.LEADER.STEPDOWN.KV_gateway_router_leases', '', { timeout: 2_000 });
      expect(await leasesLeader()).not.toBe(meta?.name);
      expect(await leasesLeader()).toBeDefined();
    }, 20_000, 500);
    const name = await leasesLeader();
    const node = cluster.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node is named ${name}`);
    const run = await underLoad(async () => {
      await node.kill();
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
      await node.start();
      await cluster.ready();
    });
    await check(`kill -9 NATS node ${node.name}`, run, undefined);
  }, 90_000);

  it('restart of the JetStream meta leader: no failure, no event lost or duplicated', async () => {
    const leader = await cluster.metaLeader();
    expect(leader).toBeDefined();
    const run = await underLoad(async () => {
      await leader?.stop();
      await cluster.ready();
      await leader?.start();
      await cluster.ready();
    });
    await check(`restart meta leader ${leader?.name}`, run, undefined);
    expect((await cluster.metaLeader())?.name).toBeDefined();
  }, 90_000);

  // What kill -9 of one replica may cost: the other replica serves everything else. Only the
  // requests the killed process held are lost to it: a stream cut mid-answer (adapter, router) or
  // a connection reset (ingress, behind the balancer).
  it.each([
    ['config-0', undefined],
    ['key-vault-0', undefined],
    ['analytics-0', undefined],
    ['adapter-openai-0', /^stream error$/],
    ['router-0', /^(stream error|503 gateway_unavailable)$/],
    ['ingress-0', /^network: /],
  ] as const)('kill -9 of %s, brought back: failures only of what it held, no event lost or duplicated', async (name, allowed) => {
    const run = await underLoad(() => restart(name, 'SIGKILL'));
    await check(`kill -9 ${name}`, run, allowed);
  }, 90_000);

  // A rolling restart (SIGTERM: readiness fails, requests still served for the grace, then in-flight
  // ones finish) of a replica of the services one replica could not hide (issue 12): invisible now.
  // ingress: a stream still open when its drain timeout passes ends in-band (gateway_draining); seen
  // once in four CI runs (a drain that waited for clients' idle connections, then for new requests on them).
  it.each([
    ['router-1', undefined],
    ['ingress-1', /^stream error$/],
  ] as const)('rolling restart of %s (SIGTERM, drained, started again): no failure but a stream cut at the drain timeout', async (name, allowed) => {
    const run = await underLoad(() => restart(name, 'SIGTERM'));
    await check(`rolling restart ${name}`, run, allowed);
  }, 90_000);

  it('after every fault: a key revocation is confirmed by every live router, and a config change is seen through every replica', async () => {
    const added = await admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: 'sk-proj-scaleoutSecondKey0123456789abc', name: 'second' });
    expect(added.status).toBe(201);
    const removed = await admin('DELETE', `/admin/v1/provider-keys/${(added.body as { id: string }).id}`);
    expect(removed.status).toBe(204);
    const fallbacks = { fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } };
    expect((await admin('PUT', '/admin/v1/routing/fallbacks', fallbacks)).status).toBe(200);
    for (const url of stack.ingressUrls) {
      await expectEventually(async () => expect((await admin('GET', '/admin/v1/routing/fallbacks', undefined, url)).body).toMatchObject(fallbacks));
    }
    for (const stream of [false, true]) expect((await request(balancer.url, apiKey, stream)).ok).toBe(true);
    // Model overrides created through both ingress replicas at once are counted across the config replicas (atomic batches on the replicated bucket).
    const jsm = await jetstreamManager(nc as NatsConnection);
    expect((await jsm.streams.info('KV_gateway_config')).config.allow_atomic).toBe(true);
    const created = await Promise.all(
      stack.ingressUrls.flatMap((url, i) => [0, 1].map((n) => admin('PUT', `/admin/v1/models/scaleout-${i}-${n}`, { inputUsdPerMTok: 1, outputUsdPerMTok: 2, providers: ['openai'] }, url))),
    );
    expect(created.map((answer) => answer.status)).toEqual(created.map(() => 200));
  }, 60_000);
});
