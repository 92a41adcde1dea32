// The report: JSON (everything) and markdown (ratios first, then the absolute figures, the
// machine, versions and settings).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fmt = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? '–' : typeof x === 'number' ? x.toFixed(digits) : String(x));
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);
const check = (value, ok) => (value === undefined ? '' : ok ? ' ✅' : ' ❌');

const GATEWAYS = ['gateway', 'gateway-service'];
const MODE_OF = { gateway: 'embedded', 'gateway-service': 'service' };
/** RSS a service may have at the end of the capacity run (issue 13). */
const RSS_LIMIT_MB = 120;

/** Each gateway target's ratios to Portkey and to the floor, per measure. */
export function ratios(results) {
  const lat = results.latency ?? {};
  const str = results.streaming?.targets ?? {};
  const cap = results.capacity ?? {};
  const cpu = results.cpu ?? {};
  const measures = {
    addedLatencyP50: (n) => lat[n]?.addedMs.p50,
    addedLatencyP99: (n) => lat[n]?.addedMs.p99,
    capacity: (n) => cap[n]?.maxRatePassing,
    peakThroughput: (n) => cap[n]?.peakThroughput,
    cpuPerRequest: (n) => cpu[n]?.perRequestMs,
    addedTtfbP50: (n) => str[n]?.addedTtfbMs.p50,
    addedTtfbP99: (n) => str[n]?.addedTtfbMs.p99,
    deviationP99: (n) => str[n]?.interArrivalDeviationMs.p99,
  };
  const out = {};
  for (const [measure, of] of Object.entries(measures)) {
    out[measure] = {};
    for (const g of GATEWAYS) out[measure][g] = { vsPortkey: ratio(of(g), of('portkey')), vsFloor: ratio(of(g), of('floor')) };
  }
  return out;
}

export function writeReport(outDir, results, before) {
  mkdirSync(outDir, { recursive: true });
  results.ratios = ratios(results);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = markdown(results, before);
  writeFileSync(join(outDir, 'latest.md'), md);
  return md;
}

/** The targets of issue 13, as ratios to Portkey (deviation: to the floor's), with their checks. */
const TARGETS = [
  ['added latency p50 (c=1)', 'addedLatencyP50', 'vsPortkey', '≤ 0.6 × Portkey', (x) => x <= 0.6],
  ['added latency p99 (c=1)', 'addedLatencyP99', 'vsPortkey', '≤ 0.8 × Portkey', (x) => x <= 0.8],
  ['capacity (p99 < 50 ms, errors < 0.1 %)', 'capacity', 'vsPortkey', '≥ 2 × Portkey', (x) => x >= 2],
  ['CPU per request, every process of the target', 'cpuPerRequest', 'vsPortkey', '≤ 0.5 × Portkey', (x) => x <= 0.5],
  ['added time to first chunk p99', 'addedTtfbP99', 'vsPortkey', '≤ 0.5 × Portkey', (x) => x <= 0.5],
  ['chunk deviation p99 (bunching)', 'deviationP99', 'vsFloor', '≤ 2 × floor', (x) => x <= 2],
  ['peak throughput seen in the sweep', 'peakThroughput', 'vsPortkey', '', () => true],
  ['added time to first chunk p50', 'addedTtfbP50', 'vsPortkey', '', () => true],
];

function markdown(r, before) {
  const names = r.targetNames;
  const gateways = GATEWAYS.filter((g) => names.includes(g));
  const q = r.ratios;
  const lines = [];
  const out = (...l) => lines.push(...l);
  out(`# Gateway benchmark — ${r.mode} run, ${r.startedAt}`, '');
  out(`Machine: ${r.machine.cpus}× ${r.machine.cpuModel}, ${r.machine.memGb} GB, ${r.machine.os}; Node ${r.versions.node}. ` +
    'Absolute times drift between runs on a shared machine; the ratios come from one run and lead.', '');
  if (r.problems.length) out('**Problems in this run:**', ...r.problems.map((p) => `- ${p}`), '');

  out('## Targets of issue 13 (ratios from this run)', '');
  const beforeCol = before ? ' | before (round 1, service mode) |' : ' |';
  out(`| measure | target${beforeCol} ${gateways.map((g) => `${MODE_OF[g]} (${g})`).join(' | ')} |`, `| --- | ---${before ? ' | ---' : ''} | ${gateways.map(() => '---').join(' | ')} |`);
  for (const [label, key, against, target, ok] of TARGETS) {
    const old = before?.ratios?.[key];
    const was = before ? ` | ${fmt(old?.gateway?.[against] ?? old?.[against])}` : '';
    out(`| ${label} (÷ ${against === 'vsPortkey' ? 'Portkey' : 'floor'}) | ${target || '–'}${was} | ${gateways.map((g) => { const v = q[key]?.[g]?.[against]; return `${fmt(v)}${target ? check(v, ok(v)) : ''}`; }).join(' | ')} |`);
  }
  if (r.memory) {
    const services = (memory, g) => (memory ?? []).filter((m) => m.target === g && m.process !== 'nats');
    const worst = (memory, g) => Math.max(...services(memory, g).map((m) => m.endOfCapacity ?? 0));
    const back = (memory, g) => services(memory, g).every((m) => m.afterIdle !== undefined && m.afterIdle <= m.idle * 1.1);
    const wasWorst = before ? ` | ${fmt(worst(before.memory, 'gateway'), 1)} MB` : '';
    out(`| largest service RSS at the end of the capacity run | ≤ ${RSS_LIMIT_MB} MB${wasWorst} | ${gateways.map((g) => `${fmt(worst(r.memory, g), 1)} MB${check(worst(r.memory, g), worst(r.memory, g) <= RSS_LIMIT_MB)}`).join(' | ')} |`);
    const worstPrivate = (memory, g) => Math.max(...services(memory, g).map((m) => m.endOfCapacityPrivate ?? 0));
    out(`| its private part (RssAnon; RSS less the node binary's shared pages) | –${before ? ' | –' : ''} | ${gateways.map((g) => `${fmt(worstPrivate(r.memory, g), 1)} MB`).join(' | ')} |`);
    const wasBack = before ? ` | ${back(before.memory, 'gateway') ? 'yes' : 'no'}` : '';
    out(`| every service's RSS within 10 % of idle a minute later | yes${wasBack} | ${gateways.map((g) => (back(r.memory, g) ? 'yes ✅' : 'no ❌')).join(' | ')} |`);
  }
  out('');

  if (r.latency) {
    out(`## Added latency at concurrency 1 (upstream delay 0 ms, ${r.settings.latencyRounds} pairs per target after ${r.settings.latencyWarmup} warm-up rounds)`, '');
    out('Each request through a target is paired with the direct request just before it; "added" is the distribution of the per-pair differences.', '');
    out('| target | added p50 ms | added p99 ms | direct p50 / p99 ms | through p50 / p99 ms | p99(through) − p99(direct) ms | errors |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const n of names) {
      const x = r.latency[n];
      if (!x) continue;
      out(`| ${n} | ${fmt(x.addedMs.p50, 3)} | ${fmt(x.addedMs.p99, 3)} | ${fmt(x.directMs.p50, 3)} / ${fmt(x.directMs.p99, 3)} | ${fmt(x.throughMs.p50, 3)} / ${fmt(x.throughMs.p99, 3)} | ${fmt(x.percentileDiffMs.p99, 3)} | ${x.errors} |`);
    }
    out('');
  }
  if (r.capacity) {
    out(`## Capacity (open loop, constant arrival rate, upstream delay ${r.settings.capacityDelayMs} ms, ${r.settings.stepMs / 1000} s steps)`, '');
    out('Latency counts from each request\'s due time, so queueing shows. Capacity = highest rate whose p99 < 50 ms with < 0.1 % errors. A failed step is measured once more (↻) and fails only if that fails too.', '');
    out('| target | capacity req/s | p99 there ms | peak throughput req/s | steps |', '| --- | --- | --- | --- | --- |');
    for (const n of names) {
      const x = r.capacity[n];
      if (!x) continue;
      out(`| ${n} | ${x.maxRatePassing}${x.hitRateCap ? ' (rate cap reached)' : ''} | ${fmt(x.p99AtMax)} | ${x.peakThroughput} | ${x.steps.map((s) => `${s.retry ? '↻' : ''}${s.rate}${s.pass ? '✓' : '✗'}`).join(' ')} |`);
    }
    out('');
  }
  if (r.cpu) {
    out('## CPU time per request (utime + stime from /proc over the capacity run, ÷ requests answered)', '');
    out('Sampled before the capacity run\'s warm-up and 2 s after its last step (usage events settled); every process of the target, nats-server and analytics included. ' +
      'Round 1 had no such measure in the bench; measured from outside on that commit (autocannon, 32 connections, closed loop): gateway 1.10 ms, Portkey 1.23 ms (0.90×).', '');
    out('| target | requests | CPU ms per request | per process, ms per request |', '| --- | --- | --- | --- |');
    for (const n of names) {
      const x = r.cpu[n];
      if (!x) continue;
      const per = Object.entries(x.perProcess).sort((a, b) => b[1].ms - a[1].ms).map(([p, v]) => `${p} ${fmt(v.perRequestMs, 3)}`).join(', ');
      out(`| ${n} | ${x.served} | ${fmt(x.perRequestMs, 3)} | ${per} |`);
    }
    out('');
  }
  if (r.streaming) {
    const s = r.streaming;
    out(`## Streaming (${s.chunks} chunks paced ${s.gapMs} ms apart, ${r.settings.streamRounds} rounds)`, '');
    out('Added TTFB = first chunk through the target − first chunk direct in the same round. Deviation = |inter-arrival − pacing| at the client; a buffering hop shows as large deviations (bunching).', '');
    out('| path | added TTFB p50 ms | added TTFB p99 ms | TTFB p50 ms | deviation p50 / p99 / max ms | first→last chunk p50 ms | errors / incomplete |', '| --- | --- | --- | --- | --- | --- | --- |');
    const sRow = (n, x, added) =>
      out(`| ${n} | ${fmt(added?.p50, 3)} | ${fmt(added?.p99, 3)} | ${fmt(x.ttfbMs.p50, 3)} | ${fmt(x.interArrivalDeviationMs.p50)} / ${fmt(x.interArrivalDeviationMs.p99)} / ${fmt(x.interArrivalDeviationMs.max)} | ${fmt(x.firstToLastChunkMs.p50, 1)} | ${x.errors} / ${x.incomplete} |`);
    sRow('direct', s.direct);
    for (const n of names) if (s.targets[n]) sRow(n, s.targets[n], s.targets[n].addedTtfbMs);
    out('');
  }
  if (r.memory) {
    out('## Memory (RSS, MB)', '');
    out(`"after idle" is ${r.settings.idleAfterMs / 1000} s after that target's capacity run ended. In brackets, the private part (RssAnon): RSS also counts file-backed pages, for a Node process chiefly the node binary's, which every Node process on the machine shares.`, '');
    const withPrivate = (rss, own) => (own === undefined ? fmt(rss, 1) : `${fmt(rss, 1)} (${fmt(own, 1)})`);
    out('| process | idle | end of capacity run | after idle |', '| --- | --- | --- | --- |');
    for (const row of r.memory) out(`| ${row.target} / ${row.process} | ${withPrivate(row.idle, row.idlePrivate)} | ${withPrivate(row.endOfCapacity, row.endOfCapacityPrivate)} | ${withPrivate(row.afterIdle, row.afterIdlePrivate)} |`);
    out('');
  }
  out('## Set-up', '');
  out(`- Fake upstream: own process (node:http, fixed answers). Its ceiling, closed loop from the generator at concurrency ${r.upstream.ceilingConcurrency}, delay 0: **${r.upstream.ceilingRps} req/s**.`);
  out('- Load generator: the bench\'s main process (undici Pool per target, keep-alive, up to 512 connections); it does nothing else while measuring.');
  out('- Targets:', ...r.targets.map((t) => `  - ${t.name}: ${t.label}`));
  out(`- Core sharing: ${r.coreSharing}`);
  out(`- Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out(`- Settings: \`${JSON.stringify(r.settings)}\``);
  out(`- Duration: ${r.durationS} s. Command: \`${r.command}\``, '');
  return `${lines.join('\n')}\n`;
}
