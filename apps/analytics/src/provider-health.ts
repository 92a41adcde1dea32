import type { GetProviderHealthResponse, ProviderHealth, UsageEvent, UsageRow } from '@ai-gateway/proto';
import { ModelLabelGuard } from './model-label.guard';
import { UsageCells } from './usage-cells';

/**
 * Health thresholds over the last 5 minutes, per provider id and per provider+model, counted
 * per upstream attempt (an attempt fails when its outcome is not `success`; `cancelled`,
 * the client going away, counts as a request but not as an error):
 * - `down`: at least 5 attempts and an error rate of at least 50 %;
 * - `degraded`: an error rate of at least 5 %, or an attempt latency p95 above 10 s;
 * - `healthy` otherwise. A provider without attempts in the window is not listed.
 */
export const HEALTH_THRESHOLDS = {
  windowMs: 5 * 60_000,
  downMinRequests: 5,
  downErrorRate: 0.5,
  degradedErrorRate: 0.05,
  degradedP95Ms: 10_000,
} as const;

export const USAGE_MAX_WINDOW_SECONDS = 3600;
const BUCKET_MS = 10_000;
const RESERVOIR_SIZE = 256;

/** A bounded uniform sample of one bucket's values (reservoir sampling), with the true count. */
class Reservoir {
  readonly values: number[] = [];
  count = 0;

  constructor(private readonly random: () => number) {}

  add(value: number): void {
    this.count++;
    if (this.values.length < RESERVOIR_SIZE) {
      this.values.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.count);
    if (slot < RESERVOIR_SIZE) this.values[slot] = value;
  }
}

interface HealthCell {
  provider: string;
  model: string;
  requests: number;
  errors: number;
  latency: Reservoir;
  ttft: Reservoir;
}

interface Bucket {
  start: number;
  providers: Map<string, HealthCell>;
  models: Map<string, HealthCell>;
  usage: UsageCells;
}

export interface ProviderHealthOptions {
  now?: () => number;
  random?: () => number;
}

/** Sliding-window provider health and usage per API key, in 10-second buckets. */
export class ProviderHealthTracker {
  private readonly buckets = new Map<number, Bucket>();
  /** Usage rows name a model only once a request for it was routed: an unrouted one may name anything. */
  private readonly models = new ModelLabelGuard();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: ProviderHealthOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  record(event: UsageEvent): void {
    const now = this.now();
    const endedAt = event.startedAtUnixMs > 0 ? Math.min(now, event.startedAtUnixMs + event.durationMs) : now;
    if (endedAt <= now - USAGE_MAX_WINDOW_SECONDS * 1000) return;
    const bucket = this.bucketAt(endedAt);
    this.prune(now);

    const usage = bucket.usage.cell(event.apiKeyId, this.models.label(event.requestedModel, event.attempts.length > 0));
    usage.requests++;
    if (event.hasUsage && event.usage) {
      usage.inputTokens += event.usage.promptTokens;
      usage.outputTokens += event.usage.completionTokens;
    }
    usage.costUsd += event.costUsd;

    for (const attempt of event.attempts) {
      if (!countsForProviderHealth(attempt.outcome)) continue;
      const failed = attempt.outcome !== 'success';
      for (const cell of [this.cell(bucket.providers, attempt.provider, ''), this.cell(bucket.models, attempt.provider, attempt.model)]) {
        cell.requests++;
        if (failed) cell.errors++;
        cell.latency.add(attempt.latencyMs);
      }
    }
    if (event.stream && event.timeToFirstTokenMs > 0 && event.outcome === 'success') {
      const served = event.attempts.findLast((a) => a.outcome === 'success');
      if (served) {
        this.cell(bucket.providers, served.provider, '').ttft.add(event.timeToFirstTokenMs);
        this.cell(bucket.models, served.provider, served.model).ttft.add(event.timeToFirstTokenMs);
      }
    }
  }

  health(): GetProviderHealthResponse {
    const buckets = this.window(HEALTH_THRESHOLDS.windowMs);
    return {
      providers: summarize(buckets.map((b) => b.providers)),
      models: summarize(buckets.map((b) => b.models)),
    };
  }

  usage(windowSeconds: number): UsageRow[] {
    const rows = new Map<string, UsageRow>();
    for (const bucket of this.window(windowSeconds * 1000)) {
      for (const cell of bucket.usage) {
        const key = `${cell.apiKeyId}\u0000${cell.model}`;
        const row = rows.get(key) ?? { apiKeyId: cell.apiKeyId, model: cell.model, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
        row.requests += cell.requests;
        row.inputTokens += cell.inputTokens;
        row.outputTokens += cell.outputTokens;
        row.costUsd += cell.costUsd;
        rows.set(key, row);
      }
    }
    return [...rows.values()].sort((a, b) => a.apiKeyId.localeCompare(b.apiKeyId) || a.model.localeCompare(b.model));
  }

  private window(ms: number): Bucket[] {
    const now = this.now();
    this.prune(now);
    const from = now - ms;
    return [...this.buckets.values()].filter((b) => b.start + BUCKET_MS > from);
  }

  private bucketAt(at: number): Bucket {
    const start = Math.floor(at / BUCKET_MS) * BUCKET_MS;
    let bucket = this.buckets.get(start);
    if (!bucket) {
      bucket = { start, providers: new Map(), models: new Map(), usage: new UsageCells() };
      this.buckets.set(start, bucket);
    }
    return bucket;
  }

  private cell(cells: Map<string, HealthCell>, provider: string, model: string): HealthCell {
    const key = `${provider}\u0000${model}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { provider, model, requests: 0, errors: 0, latency: new Reservoir(this.random), ttft: new Reservoir(this.random) };
      cells.set(key, cell);
    }
    return cell;
  }

  private prune(now: number): void {
    const usageFrom = now - USAGE_MAX_WINDOW_SECONDS * 1000;
    const healthFrom = now - HEALTH_THRESHOLDS.windowMs;
    for (const [start, bucket] of this.buckets) {
      if (start + BUCKET_MS <= usageFrom) this.buckets.delete(start);
      else if (start + BUCKET_MS <= healthFrom && (bucket.providers.size > 0 || bucket.models.size > 0)) {
        bucket.providers.clear();
        bucket.models.clear();
      }
    }
  }
}

/**
 * Attempts that say something about the provider: not a client that left or sent a bad body,
 * not our own adapter service being unreachable (DESIGN.md, failure taxonomy).
 */
// A hedge's losing leg was cancelled by the gateway: slow is already in the winner's latency, not an error.
const NOT_THE_PROVIDERS = new Set(['cancelled', 'client_error', 'gateway_error', 'hedge_lost']);

export function countsForProviderHealth(outcome: string): boolean {
  return !NOT_THE_PROVIDERS.has(outcome);
}

export function healthStatus(requests: number, errorRate: number, p95Ms: number): 'healthy' | 'degraded' | 'down' {
  if (requests >= HEALTH_THRESHOLDS.downMinRequests && errorRate >= HEALTH_THRESHOLDS.downErrorRate) return 'down';
  if (errorRate >= HEALTH_THRESHOLDS.degradedErrorRate || p95Ms > HEALTH_THRESHOLDS.degradedP95Ms) return 'degraded';
  return 'healthy';
}

function summarize(perBucket: Array<Map<string, HealthCell>>): ProviderHealth[] {
  const merged = new Map<string, HealthCell[]>();
  for (const cells of perBucket) {
    for (const [key, cell] of cells) merged.set(key, [...(merged.get(key) ?? []), cell]);
  }
  const out: ProviderHealth[] = [];
  for (const cells of merged.values()) {
    const requests = cells.reduce((n, c) => n + c.requests, 0);
    if (requests === 0) continue;
    const errors = cells.reduce((n, c) => n + c.errors, 0);
    const latency = percentiles(cells.map((c) => c.latency));
    const errorRate = errors / requests;
    out.push({
      provider: cells[0].provider,
      model: cells[0].model,
      status: healthStatus(requests, errorRate, latency.p95),
      requests,
      errorRate,
      latencyMs: latency,
      timeToFirstTokenMs: percentiles(cells.map((c) => c.ttft)),
    });
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

/** Nearest-rank p50/p95 over the buckets' samples, each weighted by how many values it stands for. */
function percentiles(reservoirs: Reservoir[]): { p50: number; p95: number } {
  const samples: Array<{ value: number; weight: number }> = [];
  for (const r of reservoirs) {
    if (r.values.length === 0) continue;
    const weight = r.count / r.values.length;
    for (const value of r.values) samples.push({ value, weight });
  }
  if (samples.length === 0) return { p50: 0, p95: 0 };
  samples.sort((a, b) => a.value - b.value);
  const total = samples.reduce((n, s) => n + s.weight, 0);
  const at = (q: number): number => {
    const target = q * total;
    let cumulative = 0;
    for (const s of samples) {
      cumulative += s.weight;
      if (cumulative >= target - 1e-9) return s.value;
    }
    return samples[samples.length - 1].value;
  };
  return { p50: at(0.5), p95: at(0.95) };
}
