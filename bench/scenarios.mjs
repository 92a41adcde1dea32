// The three measurements, each run over every target in the same phase so that the ratios come
// from the same minutes of the same machine.
import { chatRequest, now, once, openLoop, r3, streamOnce, summary } from './load.mjs';

/**
 * Added latency at concurrency 1, upstream delay 0: rounds of [direct, A, direct, B, ...], one
 * request in flight at a time. Each target's request is paired with the direct request just before
 * it; the added latency is the distribution of (through − direct) over the pairs.
 */
export async function addedLatency({ direct, targets, rounds, warmup, log }) {
  const directRequest = chatRequest(direct);
  const requests = targets.map((t) => chatRequest(t));
  const results = targets.map(() => ({ direct: [], through: [], diff: [], errors: 0 }));
  for (let round = -warmup; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const d = await once(direct.pool, directRequest);
      const t = await once(targets[i].pool, requests[i]);
      if (round < 0) continue;
      if (!d.ok || !t.ok) {
        results[i].errors++;
        continue;
      }
      results[i].direct.push(d.ms);
      results[i].through.push(t.ms);
      results[i].diff.push(t.ms - d.ms);
    }
    if (round > 0 && round % 500 === 0) log(`  latency: ${round}/${rounds} rounds`);
  }
  return Object.fromEntries(
    targets.map((t, i) => {
      const r = results[i];
      const direct = summary(r.direct);
      const through = summary(r.through);
      return [t.name, { pairs: r.diff.length, errors: r.errors, addedMs: summary(r.diff), directMs: direct, throughMs: through, percentileDiffMs: { p50: r3(through.p50 - direct.p50), p99: r3(through.p99 - direct.p99) } }];
    }),
  );
}

/**
 * Streaming: the upstream paces `chunks` chunks `gapMs` apart. Each round starts one stream direct
 * and one through every target, staggered by a few ms so their chunks do not land in the same
 * tick. Added TTFB = target's first chunk − the same round's direct first chunk. Bunching = the
 * largest |inter-arrival − gapMs| over all chunk gaps of all streams.
 */
export async function streaming({ direct, targets, rounds, warmup, chunks, gapMs, log }) {
  const all = [direct, ...targets];
  const requests = all.map((t) => chatRequest(t, { stream: true }));
  const per = all.map(() => ({ ttfb: [], added: [], dev: [], total: [], short: 0, errors: 0 }));
  const stagger = Math.min(5, gapMs / (all.length + 1));
  for (let round = -warmup; round < rounds; round++) {
    const results = await Promise.all(
      all.map(async (t, i) => {
        await new Promise((r) => setTimeout(r, i * stagger));
        return streamOnce(t.pool, requests[i]);
      }),
    );
    if (round < 0) continue;
    const base = results[0];
    results.forEach((result, i) => {
      const p = per[i];
      if (!result.ok) return void p.errors++;
      const arrivals = result.arrivals.slice(0, chunks);
      if (arrivals.length < chunks) p.short++;
      p.ttfb.push(result.ttfb);
      if (i > 0 && base.ok) p.added.push(result.ttfb - base.ttfb);
      for (let k = 1; k < arrivals.length; k++) p.dev.push(Math.abs(arrivals[k] - arrivals[k - 1] - gapMs));
      p.total.push(arrivals[arrivals.length - 1] - arrivals[0]);
    });
    if (round > 0 && round % 20 === 0) log(`  streaming: ${round}/${rounds} rounds`);
  }
  const describe = (p) => ({
    streams: p.ttfb.length,
    errors: p.errors,
    incomplete: p.short,
    ttfbMs: summary(p.ttfb),
    interArrivalDeviationMs: { p50: summary(p.dev).p50, p99: summary(p.dev).p99, max: summary(p.dev).max },
    firstToLastChunkMs: summary(p.total),
  });
  return {
    chunks,
    gapMs,
    direct: describe(per[0]),
    targets: Object.fromEntries(targets.map((t, i) => [t.name, { ...describe(per[i + 1]), addedTtfbMs: summary(per[i + 1].added) }])),
  };
}

export const passes = (step, { p99Ms, maxErrorRate }) => step.errorRate < maxErrorRate && step.latency.p99 < p99Ms && !step.aborted;

/**
 * Capacity: open-loop steps of constant arrival rate, ×`factor` from `startRate` until two steps
 * in a row fail (p99 ≥ p99Ms or errors ≥ maxErrorRate), then `refine` bisection steps between the
 * best passing rate and the first failing rate above it. Highest passing rate = capacity.
 */
export async function capacity({ target, stepMs, startRate, factor, maxRate, refine, p99Ms, maxErrorRate, pauseMs, log, onStep }) {
  const request = chatRequest(target);
  const steps = [];
  const measure = async (rate, retry) => {
    const step = await openLoop(target.pool, request, { rate, durationMs: stepMs });
    step.pass = passes(step, { p99Ms, maxErrorRate });
    step.retry = retry;
    steps.push(step);
    onStep?.(step);
    log(
      `  ${target.name} @ ${rate}/s${retry ? ' (again)' : ''}: p50 ${step.latency.p50 ?? '-'} p99 ${step.latency.p99 ?? '-'} ms, errors ${(step.errorRate * 100).toFixed(2)}%, ` +
        `throughput ${step.throughput}/s, generator lag ≤ ${step.generatorMaxLagMs} ms → ${step.pass ? 'pass' : 'FAIL'}`,
    );
    await new Promise((r) => setTimeout(r, pauseMs));
    return step;
  };
  // A step fails only when it fails twice in a row: on 2 shared cores one stall of any process (the
  // generator's own included) decides a 4 s step's p99. Every target is measured the same way.
  const run = async (rate) => {
    rate = Math.round(rate);
    const step = await measure(rate, false);
    return step.pass ? step : measure(rate, true);
  };
  // Warm-up (JIT, connections), not counted in the steps (its requests are in `served`).
  const warmup = await openLoop(target.pool, request, { rate: startRate, durationMs: Math.min(2000, stepMs) });
  let best = 0;
  let firstFail;
  let failsInRow = 0;
  for (let rate = startRate; rate <= maxRate && failsInRow < 2; rate *= factor) {
    const step = await run(rate);
    if (step.pass) {
      failsInRow = 0;
      if (step.rate > best) {
        best = step.rate;
        firstFail = undefined;
      }
    } else {
      failsInRow++;
      firstFail ??= step.rate;
    }
  }
  if (firstFail && best) {
    let lo = best;
    let hi = firstFail;
    for (let i = 0; i < refine && hi - lo > Math.max(10, lo * 0.04); i++) {
      const mid = (lo + hi) / 2;
      const step = await run(mid);
      if (step.pass) lo = step.rate;
      else hi = step.rate;
    }
    best = lo;
  }
  const peak = steps.reduce((m, s) => Math.max(m, s.throughput), 0);
  const atBest = steps.filter((s) => s.rate === best && s.pass).at(-1);
  // Requests answered over the whole run, warm-up included (the CPU measurement's denominator).
  const served = steps.reduce((sum, s) => sum + s.ok, warmup.ok);
  return { maxRatePassing: best, p99AtMax: atBest?.latency.p99, peakThroughput: peak, hitRateCap: !firstFail, served, steps };
}

export const elapsedSince = (t) => Math.round((now() - t) / 100) / 10;
