// `npm run bench` — what the gateway adds to a request, side by side with Portkey's gateway and
// with a minimal one-hop Node proxy (the floor), all in one run against one fake upstream.
//   --quick                        smaller counts (a smoke run of about 2 minutes)
//   --only=gateway,gateway-service,floor,portkey   which targets (default: all four; gateway = adapters
//                                  embedded in the router, gateway-service = adapter services)
//   --out=bench/results            where latest.md and latest.json go
//   --no-build                     skip `npm run build` (dist/ must be current)
//   --gateway-url=URL              use a running gateway (ADMIN_TOKEN in the environment) instead of starting one
//   --before=FILE                  an earlier latest.json whose ratios the report shows beside this run's
//                                  (default bench/results/before-round1.json: round 1, service mode, Node 20)
//   --verbose                      echo Portkey's output too
//   --portkey-unpatched            run Portkey without bench/portkey-fix.mjs (its streams then fail, see there)
// BENCH_CPU_PROFILE=1 profiles ingress, router and adapter-openai during each gateway target's
// capacity run only (the inspector protocol, not start-up) into <out>/profiles/ and prints the top
// self-time functions per service at the end (the figures of such a run are distorted by the
// profiler; use it for the profile only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_MODES, startGatewayStack, useRunningGateway } from './gateway-stack.mjs';
import { cpuBetween, sampleCpu } from './lib/cpu.mjs';
import { profileWindow } from './lib/inspector-profile.mjs';
import { chatRequest, closedLoop, makePool, now } from './load.mjs';
import { forkModule, installSignalHandlers, privateRssMb, rssMb, sleep, stopAll } from './lib/procs.mjs';
import { portkeyPackage, startPortkey } from './portkey.mjs';
import { profileMarkdown, summariseDir } from './profile-summary.mjs';
import { writeReport } from './report.mjs';
import { addedLatency, capacity, elapsedSince, streaming } from './scenarios.mjs';

const root = resolve(import.meta.dirname, '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : true];
  }),
);
const quick = Boolean(args.quick);
const ALL = ['gateway', 'gateway-service', 'floor', 'portkey'];
const isGateway = (name) => name in GATEWAY_MODES;
/** Time after a capacity run for what it left queued (usage events to analytics) before the CPU sample. */
const CPU_SETTLE_MS = 2_000;
const only = args.only ? String(args.only).split(',').map((s) => s.trim()).filter(Boolean) : ALL;
const unknown = only.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`bench: --only names unknown targets: ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const outDir = resolve(root, String(args.out ?? 'bench/results'));
const profiling = process.env.BENCH_CPU_PROFILE === '1';
const profileDir = join(outDir, 'profiles');

const settings = quick
  ? { latencyRounds: 300, latencyWarmup: 50, streamRounds: 12, streamWarmup: 2, stepMs: 1500, startRate: 50, factor: 1.4, refine: 1, idleAfterMs: 10_000 }
  : { latencyRounds: 2000, latencyWarmup: 200, streamRounds: 60, streamWarmup: 5, stepMs: 4000, startRate: 50, factor: 1.25, refine: 2, idleAfterMs: 60_000 };
Object.assign(settings, { capacityDelayMs: 20, p99Ms: 50, maxErrorRate: 0.001, chunks: 32, chunkGapMs: 20, pauseMs: 500, maxRate: 20_000 });

const started = now();
const log = (m) => console.log(`bench [${elapsedSince(started).toFixed(1)} s] ${m}`);
installSignalHandlers();

const problems = [];
const targets = [];
const pools = [];
const gatewayHandles = [];

async function main() {
  // --- build, as npm start does ------------------------------------------------------------------
  if (only.some(isGateway) && !args['gateway-url'] && !args['no-build']) {
    const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  if (profiling) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }

  // --- fake upstream, own process; its ceiling -----------------------------------------------------
  const upstream = await forkModule('fake-upstream', join(import.meta.dirname, 'fake-upstream.mjs'), [], { stage: 0 });
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  const upstreamBase = `${upstreamOrigin}/v1`;
  const configure = (s) => upstream.ask({ type: 'config', settings: s }, 'configured');
  const direct = { name: 'direct', label: 'fake upstream, no hop', url: upstreamOrigin, model: 'gpt-4o', headers: { authorization: 'Bearer sk-bench-provider-key-0000' } };
  direct.pool = makePool(direct.url);
  pools.push(direct.pool);
  await configure({ delayMs: 0 });
  await closedLoop(direct.pool, chatRequest(direct), { concurrency: 16, durationMs: 500 });
  const ceilingConcurrency = 64;
  const ceiling = await closedLoop(direct.pool, chatRequest(direct), { concurrency: ceilingConcurrency, durationMs: quick ? 2000 : 4000 });
  log(`fake upstream at ${upstreamBase}: ceiling ${ceiling.rps} req/s (closed loop, concurrency ${ceilingConcurrency}, delay 0, generator and upstream on the same 2 cores)`);

  // --- targets -------------------------------------------------------------------------------------
  if (args['gateway-url'] && only.includes('gateway')) {
    log(`using the running gateway at ${args['gateway-url']}`);
    const handle = await useRunningGateway({ url: String(args['gateway-url']), adminToken: process.env.ADMIN_TOKEN, upstreamBase });
    gatewayHandles.push(handle);
    targets.push(handle);
  } else {
    for (const [name, adapterMode] of Object.entries(GATEWAY_MODES)) {
      if (!only.includes(name)) continue;
      log(`starting ${name}: nats + every service, adapters ${adapterMode}, free ports, temporary data dir, LOG_LEVEL=warn`);
      const handle = await startGatewayStack({ upstreamBase, adapterMode, inspect: profiling });
      gatewayHandles.push(handle);
      targets.push(handle);
    }
  }
  if (only.includes('floor')) {
    const floor = await forkModule('floor-proxy', join(import.meta.dirname, 'floor-proxy.mjs'), [upstreamOrigin], { stage: 5 });
    targets.push({ name: 'floor', label: 'one-hop Node proxy: node:http in, undici Pool out', url: `http://127.0.0.1:${floor.port}`, model: 'gpt-4o', headers: { authorization: 'Bearer sk-bench-provider-key-0000' }, processes: () => [{ name: 'floor-proxy', pid: floor.pid }] });
  }
  if (only.includes('portkey')) {
    try {
      targets.push(await startPortkey({ upstreamBase, verbose: Boolean(args.verbose), patched: !args['portkey-unpatched'] }));
    } catch (error) {
      problems.push(`Portkey could not be started: ${error.message.split('\n')[0]}`);
      log(`Portkey could not be started, going on without it:\n${error.message}`);
    }
  }
  for (const t of targets) {
    t.pool = makePool(t.url);
    pools.push(t.pool);
    const probe = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: chatRequest(t).body });
    const text = await probe.text();
    if (probe.status !== 200) throw new Error(`${t.name} does not answer a completion: ${probe.status} ${text.slice(0, 300)}`);
  }
  log(`targets: ${targets.map((t) => `${t.name} ${t.url}`).join(', ')}`);
  const memory = new Map(); // "target/process" -> {target, process, pid, idle, endOfCapacity, afterIdle, and each ...Private}
  const processesOf = (t) => [...(t.processes?.() ?? [])];
  const sampleRss = (t, field) => {
    for (const p of processesOf(t)) {
      const key = `${t.name}/${p.name}`;
      const row = memory.get(key) ?? { target: t.name, process: p.name, pid: p.pid };
      row[field] = rssMb(p.pid);
      row[`${field}Private`] = privateRssMb(p.pid);
      memory.set(key, row);
    }
  };
  await sleep(2000);
  for (const t of targets) sampleRss(t, 'idle');
  memory.set('bench/fake-upstream', { target: 'bench', process: 'fake-upstream', pid: upstream.pid, idle: rssMb(upstream.pid) });

  // --- added latency, concurrency 1 ------------------------------------------------------------------
  const results = { targetNames: targets.map((t) => t.name) };
  await configure({ delayMs: 0 });
  log(`added latency: ${settings.latencyRounds} pairs per target after ${settings.latencyWarmup} warm-up rounds, interleaved with direct requests`);
  results.latency = await addedLatency({ direct, targets, rounds: settings.latencyRounds, warmup: settings.latencyWarmup, log });
  for (const [n, x] of Object.entries(results.latency)) log(`  ${n}: added p50 ${x.addedMs.p50} ms, p99 ${x.addedMs.p99} ms (errors ${x.errors})`);

  // --- streaming ------------------------------------------------------------------------------------------
  await configure({ delayMs: 0, chunks: settings.chunks, chunkGapMs: settings.chunkGapMs });
  log(`streaming: ${settings.streamRounds} rounds of one stream per path, ${settings.chunks} chunks ${settings.chunkGapMs} ms apart`);
  results.streaming = await streaming({ direct, targets, rounds: settings.streamRounds, warmup: settings.streamWarmup, chunks: settings.chunks, gapMs: settings.chunkGapMs, log });
  for (const [n, x] of Object.entries(results.streaming.targets)) log(`  ${n}: added TTFB p50 ${x.addedTtfbMs.p50} ms, p99 ${x.addedTtfbMs.p99} ms; max inter-arrival deviation ${x.interArrivalDeviationMs.max} ms`);
  log(`  direct: max inter-arrival deviation ${results.streaming.direct.interArrivalDeviationMs.max} ms`);

  // --- capacity -------------------------------------------------------------------------------------------
  await configure({ delayMs: settings.capacityDelayMs });
  results.capacity = {};
  results.cpu = {};
  const capacityEnded = {};
  for (const t of targets) {
    const cpuBefore = sampleCpu(processesOf(t));
    const stopProfiles = profiling && t.inspectors ? await profileWindow(t.inspectors(), profileDir, `${t.name}-`) : undefined;
    log(`capacity of ${t.name}: open loop from ${settings.startRate}/s ×${settings.factor}, ${settings.stepMs / 1000} s steps, upstream delay ${settings.capacityDelayMs} ms`);
    results.capacity[t.name] = await capacity({
      target: t, stepMs: settings.stepMs, startRate: settings.startRate, factor: settings.factor, maxRate: Math.min(settings.maxRate, ceiling.rps),
      refine: settings.refine, p99Ms: settings.p99Ms, maxErrorRate: settings.maxErrorRate, pauseMs: settings.pauseMs, log,
    });
    sampleRss(t, 'endOfCapacity');
    capacityEnded[t.name] = now();
    await sleep(CPU_SETTLE_MS);
    await stopProfiles?.();
    const cpu = cpuBetween(cpuBefore, sampleCpu(processesOf(t)));
    const served = results.capacity[t.name].served;
    results.cpu[t.name] = {
      served,
      totalMs: Math.round(cpu.total),
      perRequestMs: served > 0 ? cpu.total / served : undefined,
      perProcess: Object.fromEntries(Object.entries(cpu.perProcess).map(([name, ms]) => [name, { ms: Math.round(ms), perRequestMs: served > 0 ? ms / served : undefined }])),
    };
    log(`  ${t.name}: CPU ${results.cpu[t.name].perRequestMs?.toFixed(3)} ms per request over ${served} requests (every process of the target)`);
    log(`  ${t.name}: capacity ${results.capacity[t.name].maxRatePassing} req/s, peak throughput ${results.capacity[t.name].peakThroughput} req/s`);
  }
  memory.get('bench/fake-upstream').endOfCapacity = rssMb(upstream.pid);

  // --- memory after idle ----------------------------------------------------------------------------------
  for (const t of targets) {
    const wait = capacityEnded[t.name] + settings.idleAfterMs - now();
    if (wait > 0) {
      log(`waiting ${(wait / 1000).toFixed(0)} s of idle before the last memory sample of ${t.name}`);
      await sleep(wait);
    }
    sampleRss(t, 'afterIdle');
  }
  memory.get('bench/fake-upstream').afterIdle = rssMb(upstream.pid);
  results.memory = [...memory.values()];

  // --- report -------------------------------------------------------------------------------------------
  const cpus = os.cpus();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const versionOf = (name) => {
    try {
      return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  };
  Object.assign(results, {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(Date.now() - (now() - started)).toISOString(),
    durationS: Math.round((now() - started) / 1000),
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    profiling,
    problems,
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model?.trim(), memGb: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    versions: { node: process.version, gateway: pkg.version, '@portkey-ai/gateway': safe(() => portkeyPackage().version), undici: versionOf('undici'), fastify: versionOf('fastify'), '@grpc/grpc-js': versionOf('@grpc/grpc-js') },
    upstream: { ceilingRps: ceiling.rps, ceilingConcurrency, ceilingErrors: ceiling.errors },
    coreSharing:
      `${os.cpus().length} cores, nothing pinned: the load generator (this process), the fake upstream (its own process) and the target under test share both cores; ` +
      'each gateway target is its own stack: nats-server + config, key-vault, analytics, router, ingress (+ adapter-openai and adapter-anthropic in service mode); ingress and router (+ adapter-openai) are on the request path, analytics and NATS take the usage events. ' +
      'Targets not being measured stay running but idle.',
    settings,
    targets: targets.map((t) => ({ name: t.name, label: t.label, url: t.url })),
  });
  if (profiling) problems.push('run with BENCH_CPU_PROFILE=1: the gateway figures include the profiler\'s overhead');
  const beforePath = resolve(root, String(args.before ?? 'bench/results/before-round1.json'));
  const before = existsSync(beforePath) ? JSON.parse(readFileSync(beforePath, 'utf8')) : undefined;
  const md = writeReport(outDir, results, before);
  console.log(`\n${md}`);
  log(`wrote ${join(outDir, 'latest.md')} and latest.json`);
}

function safe(fn) {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

let code = 0;
try {
  await main();
} catch (error) {
  code = 1;
  console.error(`bench: ${error instanceof Error ? error.stack : error}`);
} finally {
  await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  await Promise.all(gatewayHandles.map((h) => h.close().catch(() => undefined)));
  log('stopping every process started');
  await stopAll();
  if (profiling && existsSync(profileDir)) {
    const summaries = summariseDir(profileDir, 15);
    const md = profileMarkdown(summaries);
    writeFileSync(join(outDir, 'profile-summary.md'), md);
    console.log(md);
    log(`profile summary in ${join(outDir, 'profile-summary.md')} (the .cpuprofile files are not to be committed)`);
  }
}
process.exit(code);
