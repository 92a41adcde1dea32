#!/usr/bin/env node
// `npm run bench:hedging`: what hedged requests (issue 18) do to the tail. The gateway (as `npm
// start` runs it, on free ports) in front of the bench's fake upstream with a slow tail: every
// `--tail-every`-th request (default 10, i.e. 10 %) waits `--tail-ms` (1000) more before its first
// byte. The openai provider holds two keys, so a hedge goes to the other key. Two models share the
// run, interleaved request by request: `gpt-4o` hedges (afterMs `--after-ms`, maxShare
// `--max-share`), `gpt-4o-mini` does not. Measured per model: time to the first streamed chunk at
// the client (p50, p90, p99, max) and errors; plus the upstream requests sent (the extra load).
//
//   npm run bench:hedging [-- --requests=400 --concurrency=4 --after-ms=150 --max-share=0.2 --no-build --out=dir]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGatewayStack } from './gateway-stack.mjs';
import { chatRequest, makePool, percentile, r3, streamOnce, summary } from './load.mjs';
import { forkModule, installSignalHandlers, sleep, stopAll } from './lib/procs.mjs';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '4' },
    'after-ms': { type: 'string', default: '150' },
    'max-share': { type: 'string', default: '0.2' },
    'tail-every': { type: 'string', default: '10' },
    'tail-ms': { type: 'string', default: '1000' },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string', default: join(root, 'bench/results') },
  },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const hedge = { afterMs: Number(args['after-ms']), maxShare: Number(args['max-share']) };
const tail = { tailEvery: Number(args['tail-every']), tailDelayMs: Number(args['tail-ms']) };
const HEDGED = 'gpt-4o';
const PLAIN = 'gpt-4o-mini';
const log = (line) => process.stdout.write(`[hedging] ${line}\n`);

async function admin(target, method, path, body) {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

async function main() {
  installSignalHandlers();
  if (!args['no-build']) {
    const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  const upstream = await forkModule('fake-upstream', join(import.meta.dirname, 'fake-upstream.mjs'), [], { stage: 0 });
  const configure = (settings) => upstream.ask({ type: 'config', settings }, 'configured');
  const upstreamBase = `http://127.0.0.1:${upstream.port}/v1`;
  await configure({ delayMs: 0, chunks: 8, chunkGapMs: 5, tailEvery: 0, tailDelayMs: 0 });

  log(`starting the gateway; ${HEDGED} hedges after ${hedge.afterMs} ms (maxShare ${hedge.maxShare}), ${PLAIN} does not`);
  const gateway = await startGatewayStack({ upstreamBase });
  const target = gateway;
  await admin(target, 'PUT', '/admin/v1/routing/policies', { default: { strategy: 'priority' }, models: { [HEDGED]: { strategy: 'priority', hedge } } });
  // A second key: the hedge of a one-provider model goes to another key, never the same one.
  await admin(target, 'POST', '/admin/v1/provider-keys', { provider: 'openai', key: 'sk-bench-provider-key-0001', name: 'bench-2' });
  await sleep(1000);

  const pool = makePool(gateway.url, 64);
  const request = (model) => chatRequest({ ...gateway, model }, { stream: true });
  const served = async () => (await upstream.ask({ type: 'stats' }, 'stats')).served;
  // Warm-up without the tail.
  for (let i = 0; i < 40; i++) await streamOnce(pool, request(i % 2 ? HEDGED : PLAIN));

  await configure({ delayMs: 0, chunks: 8, chunkGapMs: 5, ...tail });
  log(`${requests} streamed requests per model, concurrency ${concurrency}, interleaved; one upstream request in ${tail.tailEvery} (seeded random) +${tail.tailDelayMs} ms before its first byte`);
  const ttfb = { [HEDGED]: [], [PLAIN]: [] };
  const errors = { [HEDGED]: 0, [PLAIN]: 0 };
  const servedBefore = await served();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests * 2) {
        const model = next++ % 2 ? HEDGED : PLAIN;
        const result = await streamOnce(pool, request(model));
        if (result.ok) ttfb[model].push(result.ttfb);
        else errors[model]++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const upstreamRequests = (await served()) - servedBefore;
  const results = {
    at: new Date().toISOString(),
    settings: { requests, concurrency, hedge, tail, chunks: 8, chunkGapMs: 5 },
    seconds: Math.round(seconds * 10) / 10,
    upstreamRequests,
    clientRequests: requests * 2,
    models: Object.fromEntries(
      [HEDGED, PLAIN].map((model) => [
        model,
        {
          hedged: model === HEDGED,
          ttfbMs: { ...summary(ttfb[model]), p95: r3(percentile(ttfb[model], 95)) },
          slow: ttfb[model].filter((ms) => ms > tail.tailDelayMs / 2).length,
          errors: errors[model],
        },
      ]),
    ),
  };
  await pool.close();

  const row = (model) => {
    const s = results.models[model].ttfbMs;
    const m = results.models[model];
    return `| ${model} (${model === HEDGED ? `hedge after ${hedge.afterMs} ms` : 'no hedge'}) | ${s.p50} | ${s.p90} | ${s.p95} | ${s.p99} | ${s.max} | ${m.slow} (${r3((m.slow / s.n) * 100)} %) | ${m.errors} |`;
  };
  const report = [
    `# Hedging bench (${results.at})`,
    '',
    `Streams through the gateway to a fake upstream where one request in ${tail.tailEvery} (seeded random) waits +${tail.tailDelayMs} ms before its first byte;`,
    `${requests} requests per model, concurrency ${concurrency}, the two models interleaved. Time to first chunk at the client, ms:`,
    '',
    `| model | p50 | p90 | p95 | p99 | max | over ${tail.tailDelayMs / 2} ms | errors |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row(HEDGED),
    row(PLAIN),
    '',
    `Upstream requests: ${upstreamRequests} for ${requests * 2} client requests (${upstreamRequests - requests * 2} hedges; cap ${hedge.maxShare} of ${HEDGED}'s requests).`,
    '',
  ].join('\n');
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'hedging.md'), report);
  writeFileSync(join(args.out, 'hedging.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${report}`);
  await gateway.close();
}

main()
  .catch((error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
