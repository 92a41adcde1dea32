// The report: JSON (everything) and markdown (ratios first, then the absolute figures, the
// machine, versions and settings).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fmt = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? '–' : typeof x === 'number' ? x.toFixed(digits) : String(x));
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);
const check = (value, ok) => (value === undefined ? '' : ok ? ' ✅' : ' ❌');

export function ratios(results) {
  const lat = results.latency ?? {};
  const str = results.streaming?.targets ?? {};
  const cap = results.capacity ?? {};
  const of = (fn) => ({ vsPortkey: ratio(fn('gateway'), fn('portkey')), vsFloor: ratio(fn('gateway'), fn('floor')) });
  return {
    addedLatencyP50: of((n) => lat[n]?.addedMs.p50),
    addedLatencyP99: of((n) => lat[n]?.addedMs.p99),
    capacity: of((n) => cap[n]?.maxRatePassing),
    peakThroughput: of((n) => cap[n]?.peakThroughput),
    addedTtfbP50: of((n) => str[n]?.addedTtfbMs.p50),
    addedTtfbP99: of((n) => str[n]?.addedTtfbMs.p99),
  };
}

export function writeReport(outDir, results) {
  mkdirSync(outDir, { recursive: true });
  results.ratios = ratios(results);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = markdown(results);
  writeFileSync(join(outDir, 'latest.md'), md);
  return md;
}

function markdown(r) {
  const names = r.targetNames;
  const label = Object.fromEntries(r.targets.map((t) => [t.name, t.label]));
  const q = r.ratios;
  const lines = [];
  const out = (...l) => lines.push(...l);
  out(`# Gateway benchmark — ${r.mode} run, ${r.startedAt}`, '');
  out(`Machine: ${r.machine.cpus}× ${r.machine.cpuModel}, ${r.machine.memGb} GB, ${r.machine.os}; Node ${r.versions.node}. ` +
    'Absolute times drift between runs on a shared machine; the ratios come from one run and lead.', '');
  if (r.problems.length) out('**Problems in this run:**', ...r.problems.map((p) => `- ${p}`), '');

  out('## Ratios (gateway ÷ other, same run)', '');
  out('| measure | gateway ÷ Portkey | target | gateway ÷ floor |', '| --- | --- | --- | --- |');
  const row = (name, v, target, ok) => out(`| ${name} | ${fmt(v.vsPortkey)}${check(v.vsPortkey, ok(v.vsPortkey))} | ${target} | ${fmt(v.vsFloor)} |`);
  row('added latency p50 (c=1)', q.addedLatencyP50, '≤ 0.6', (x) => x <= 0.6);
  row('added latency p99 (c=1)', q.addedLatencyP99, '≤ 0.6', (x) => x <= 0.6);
  row('capacity (p99 < 50 ms, errors < 0.1 %)', q.capacity, '≥ 2', (x) => x >= 2);
  row('peak throughput seen in the sweep', q.peakThroughput, '', () => true);
  row('added time to first chunk p50', q.addedTtfbP50, '≤ 0.5', (x) => x <= 0.5);
  row('added time to first chunk p99', q.addedTtfbP99, '≤ 0.5', (x) => x <= 0.5);
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
    out('Latency counts from each request\'s due time, so queueing shows. Capacity = highest rate whose p99 < 50 ms with < 0.1 % errors.', '');
    out('| target | capacity req/s | p99 there ms | peak throughput req/s | steps |', '| --- | --- | --- | --- | --- |');
    for (const n of names) {
      const x = r.capacity[n];
      if (!x) continue;
      out(`| ${n} | ${x.maxRatePassing}${x.hitRateCap ? ' (rate cap reached)' : ''} | ${fmt(x.p99AtMax)} | ${x.peakThroughput} | ${x.steps.map((s) => `${s.rate}${s.pass ? '✓' : '✗'}`).join(' ')} |`);
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
    out(`"after idle" is ${r.settings.idleAfterMs / 1000} s after that target's capacity run ended.`, '');
    out('| process | idle | end of capacity run | after idle |', '| --- | --- | --- | --- |');
    for (const row of r.memory) out(`| ${row.target} / ${row.process} | ${fmt(row.idle, 1)} | ${fmt(row.endOfCapacity, 1)} | ${fmt(row.afterIdle, 1)} |`);
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
