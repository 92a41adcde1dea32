// The load generator: undici Pools (keep-alive), exact latency percentiles, three shapes of load:
//   - one request at a time (added latency),
//   - closed loop at a fixed concurrency (only to find the fake upstream's ceiling),
//   - open loop at a constant arrival rate (capacity): request i is due at t0 + i/rate whatever
//     happened before, and its latency counts from when it was due, so queueing anywhere — in the
//     target or in this generator — shows in the figures instead of slowing the offered load.
// Plus one streamed request with the arrival time of every SSE event.
import { Pool } from 'undici';

export const now = () => performance.now();

export function makePool(origin, connections = 512) {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summary(values) {
  if (!values.length) return { n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { n: values.length, mean: r3(mean), p50: r3(percentile(values, 50)), p90: r3(percentile(values, 90)), p99: r3(percentile(values, 99)), max: r3(percentile(values, 100)) };
}
export const r3 = (x) => Math.round(x * 1000) / 1000;

/** A chat completion request for `target` ({url, headers, model}). */
export function chatRequest(target, { stream = false } = {}) {
  const body = JSON.stringify({ model: target.model, messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16, ...(stream ? { stream: true } : {}) });
  return { method: 'POST', path: '/v1/chat/completions', headers: { ...target.headers, 'content-type': 'application/json' }, body };
}

/** One request; resolves {ok, ms, status, error}. Latency from `from` (default: now). */
export async function once(pool, request, from = now()) {
  try {
    const answer = await pool.request(request);
    await answer.body.arrayBuffer();
    const ms = now() - from;
    return { ok: answer.statusCode === 200, ms, status: answer.statusCode };
  } catch (error) {
    return { ok: false, ms: now() - from, status: 0, error: error.code ?? error.message };
  }
}

/** Closed loop: `concurrency` workers back to back for `durationMs`; requests per second. */
export async function closedLoop(pool, request, { concurrency, durationMs }) {
  const end = now() + durationMs;
  let done = 0;
  let errors = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (now() < end) {
        const result = await once(pool, request);
        if (result.ok) done++;
        else errors++;
      }
    }),
  );
  return { rps: Math.round(done / ((now() - started) / 1000)), errors };
}

/**
 * Open loop at `rate` requests/s for `durationMs`. Latency of each request counts from its due
 * time. Requests still unanswered `drainMs` after the last one was due count as errors.
 */
export async function openLoop(pool, request, { rate, durationMs, drainMs = 5_000, maxInFlight = 4_000 }) {
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const latencies = [];
  const errorKinds = {};
  let errors = 0;
  let inFlight = 0;
  let maxLag = 0;
  let sent = 0;
  let peakInFlight = 0;
  let aborted = false;
  const pending = new Set();
  const t0 = now() + 5;
  const fire = (due) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const p = once(pool, request, due).then((result) => {
      inFlight--;
      pending.delete(p);
      if (result.ok) latencies.push(result.ms);
      else {
        errors++;
        const kind = result.error ?? `HTTP ${result.status}`;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    });
    pending.add(p);
  };
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      while (sent < total && t0 + sent * interval <= t) {
        const due = t0 + sent * interval;
        maxLag = Math.max(maxLag, t - due);
        if (inFlight >= maxInFlight) {
          aborted = true; // hopelessly behind: the rest counts as failed
          errors += total - sent;
          errorKinds.overloaded = (errorKinds.overloaded ?? 0) + total - sent;
          sent = total;
          break;
        }
        fire(due);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + sent * interval - now())));
      else resolve();
    };
    tick();
  });
  const lastDue = now();
  const drained = await Promise.race([Promise.all(pending).then(() => true), new Promise((r) => setTimeout(() => r(false), drainMs))]);
  if (!drained) {
    errors += pending.size;
    errorKinds.timeout = (errorKinds.timeout ?? 0) + pending.size;
  }
  const elapsed = (now() - t0) / 1000;
  const lat = summary(latencies);
  return {
    rate,
    sent: total,
    ok: latencies.length,
    errors,
    errorRate: errors / total,
    errorKinds,
    throughput: Math.round(latencies.length / elapsed),
    latency: lat,
    generatorMaxLagMs: r3(maxLag),
    peakInFlight,
    aborted,
    drainMs: r3(now() - lastDue),
  };
}

/**
 * One streamed completion; resolves {ok, ttfb, arrivals[]} — the time (ms from the request's
 * start) at which each SSE data event (not [DONE]) was complete at the client.
 */
export async function streamOnce(pool, request) {
  const start = now();
  try {
    const answer = await pool.request(request);
    const arrivals = [];
    let buffer = '';
    for await (const piece of answer.body) {
      const t = now() - start;
      buffer += piece.toString('utf8');
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (data && data !== '[DONE]') arrivals.push(t);
      }
    }
    return { ok: answer.statusCode === 200 && arrivals.length > 0, status: answer.statusCode, ttfb: arrivals[0], arrivals };
  } catch (error) {
    return { ok: false, status: 0, error: error.code ?? error.message, arrivals: [] };
  }
}
