/**
 * A router process's recent view of each provider and model: EWMAs of time to first token
 * (streams), of total latency (unary calls) and of attempt failures, with sample counts. The
 * latency and availability policies read it; the router feeds it once per attempt outcome.
 */
export interface LatencyFigures {
  readonly ewmaTtftMs: number | undefined;
  readonly ewmaLatencyMs: number | undefined;
  readonly latencySamples: number;
}

export interface HealthFigures {
  /** EWMA of failures: 0 none fail, 1 all fail. */
  readonly errorRate: number;
  readonly outcomeSamples: number;
}

export type ProviderModelFigures = LatencyFigures & HealthFigures & { readonly provider: string; readonly model: string };

/** What the ordering reads. */
export interface ProviderStatsSource {
  figures(provider: string, model: string): (LatencyFigures & HealthFigures) | undefined;
}

/** One attempt as it ended, for the stats. */
export interface AttemptSample {
  readonly provider: string;
  readonly model: string;
  /**
   * 'success' | 'failure'; 'outpaced': a hedge's losing leg, cancelled while it had not answered
   * yet, whose elapsed time is a lower bound of its latency: it may only raise the estimate, and is
   * neither an outcome, a latency sample, nor part of the p95 window.
   * Attempts that say nothing of the provider (client errors, cancels, our own services) are not fed.
   */
  readonly outcome: 'success' | 'failure' | 'outpaced';
  /** Streams: time to first token of a successful attempt. */
  readonly ttftMs?: number;
  /** Unary calls: the successful attempt's whole latency. */
  readonly latencyMs?: number;
}

/**
 * Weight of a new sample: 0.3 lets one slow answer move the average most of the way within
 * three or four samples, and a recovered provider regain its place within a few re-measurements.
 */
export const STATS_EWMA_ALPHA = 0.3;
/** Provider-model pairs kept at most; beyond it the least recently fed is dropped. */
export const STATS_MAX_ENTRIES = 1_024;
/** Recent times to first token kept per pair, for its p95 (a hedge's `afterMs: "p95"`). */
export const STATS_TTFT_WINDOW = 64;
/** A p95 needs at least this many samples to mean anything. */
export const STATS_MIN_P95_SAMPLES = 10;

interface Entry {
  provider: string;
  model: string;
  ewmaTtftMs: number | undefined;
  ewmaLatencyMs: number | undefined;
  latencySamples: number;
  errorRate: number;
  outcomeSamples: number;
  /** The last STATS_TTFT_WINDOW times to first token, oldest overwritten first. */
  recentTtftMs: number[];
  nextTtftSlot: number;
}

export class ProviderStats implements ProviderStatsSource {
  /** Insertion order is recency order: an entry is moved to the end when fed. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly alpha = STATS_EWMA_ALPHA,
    private readonly maxEntries = STATS_MAX_ENTRIES,
  ) {}

  record(sample: AttemptSample): void {
    const key = entryKey(sample.provider, sample.model);
    const entry = this.entries.get(key) ?? {
      provider: sample.provider,
      model: sample.model,
      ewmaTtftMs: undefined,
      ewmaLatencyMs: undefined,
      latencySamples: 0,
      errorRate: 0,
      outcomeSamples: 0,
      recentTtftMs: [],
      nextTtftSlot: 0,
    };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (sample.outcome !== 'outpaced') {
      const failed = sample.outcome === 'failure' ? 1 : 0;
      // The first outcome sets the rate outright: an unknown provider is not assumed healthy for long.
      entry.errorRate = entry.outcomeSamples === 0 ? failed : this.blend(entry.errorRate, failed);
      entry.outcomeSamples += 1;
    }
    if (sample.outcome === 'outpaced') this.raiseToFloor(entry, sample);
    else this.addTiming(entry, sample);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  figures(provider: string, model: string): (LatencyFigures & HealthFigures) | undefined {
    return this.entries.get(entryKey(provider, model));
  }

  /** The p95 of the recent times to first token; undefined below STATS_MIN_P95_SAMPLES samples. */
  p95TtftMs(provider: string, model: string): number | undefined {
    const recent = this.entries.get(entryKey(provider, model))?.recentTtftMs ?? [];
    if (recent.length < STATS_MIN_P95_SAMPLES) return undefined;
    const sorted = [...recent].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
  }

  /** Drops the providers no longer configured. */
  retainProviders(providerIds: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) if (!providerIds.has(entry.provider)) this.entries.delete(key);
  }

  all(): ProviderModelFigures[] {
    return [...this.entries.values()].map(({ provider, model, ewmaTtftMs, ewmaLatencyMs, latencySamples, errorRate, outcomeSamples }) => ({
      provider,
      model,
      ewmaTtftMs,
      ewmaLatencyMs,
      latencySamples,
      errorRate,
      outcomeSamples,
    }));
  }

  private addTiming(entry: Entry, sample: AttemptSample): void {
    if (sample.ttftMs !== undefined && Number.isFinite(sample.ttftMs)) {
      entry.ewmaTtftMs = entry.ewmaTtftMs === undefined ? sample.ttftMs : this.blend(entry.ewmaTtftMs, sample.ttftMs);
      entry.recentTtftMs[entry.nextTtftSlot] = sample.ttftMs;
      entry.nextTtftSlot = (entry.nextTtftSlot + 1) % STATS_TTFT_WINDOW;
    }
    if (sample.latencyMs !== undefined && Number.isFinite(sample.latencyMs)) {
      entry.ewmaLatencyMs = entry.ewmaLatencyMs === undefined ? sample.latencyMs : this.blend(entry.ewmaLatencyMs, sample.latencyMs);
    }
    if (sample.ttftMs !== undefined || sample.latencyMs !== undefined) entry.latencySamples += 1;
  }

  /**
   * An outpaced leg's elapsed time is a lower bound: it raises an estimate below it and never
   * lowers one. It sets no first estimate (the provider is measured when it serves) and stays out
   * of the p95 window, which holds answers only.
   */
  private raiseToFloor(entry: Entry, sample: AttemptSample): void {
    if (entry.ewmaTtftMs !== undefined && sample.ttftMs !== undefined && Number.isFinite(sample.ttftMs)) {
      entry.ewmaTtftMs = Math.max(entry.ewmaTtftMs, sample.ttftMs);
    }
    if (entry.ewmaLatencyMs !== undefined && sample.latencyMs !== undefined && Number.isFinite(sample.latencyMs)) {
      entry.ewmaLatencyMs = Math.max(entry.ewmaLatencyMs, sample.latencyMs);
    }
  }

  private blend(average: number, sample: number): number {
    return average + this.alpha * (sample - average);
  }
}

function entryKey(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}
