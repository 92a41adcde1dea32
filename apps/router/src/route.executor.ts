import { Observable } from 'rxjs';
import { firstTokenTimeoutMs, isReasoningModel, type FirstTokenLimits } from '@ai-gateway/model-catalog';
import {
  buildRoutePlan,
  chooseKey,
  HedgeBudget,
  keyOrder,
  circuitKey,
  classifyFailure,
  panicCandidate,
  retryDelayMs,
  type CircuitBreaker,
  type CircuitPass,
  type FailureClassification,
  type HedgePolicy,
  type KeyHealth,
  type KeySelection,
  type RouteCandidate,
  type RoutePlan,
} from '@ai-gateway/routing';
import type { AdapterRequest, AdapterResponse, AdapterStreamEvent, Attempt, Header, RequestMeta, Usage } from '@ai-gateway/proto';
import type { AdapterStreamSink, ProviderAdapter } from '@ai-gateway/provider-http';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { Context } from '@ai-gateway/telemetry';
import { Fault, type ResolvedKey } from '@ai-gateway/proto';
import type { AdapterDirectory } from './adapter.directory';
import { attemptOf, traceAttempt, type AttemptTrace } from './attempt.trace';
import { callUnary, sleep } from './cancellable';
import { describeAttemptFailure, FAULT_OF_KIND, routerAttemptError, type AttemptFailure } from './attempt-failure';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import type { RoutePolicyOrderer } from './route-policy.orderer';
import { streamFactsFor } from './stream-content';
import { HedgeRace, runRace, type HedgeTrigger, type Leg, type ObservedUsage } from './hedge.race';

export interface RouteSettings {
  /** The deadline of a request without x-gateway-timeout-ms, streams included. */
  requestTimeoutMs: number;
  /** A non-streaming attempt's wait for the answer (at least the model's first-token limit). */
  unaryTimeoutMs: number;
  /** A stream's wait for response headers. */
  headersTimeoutMs: number;
  /** A stream's longest gap between chunks once content flows. */
  idleTimeoutMs: number;
  firstToken: FirstTokenLimits;
  maxRetries: number;
  retryBaseMs: number;
  retryAfterMaxMs: number;
  /**
   * How long a request waits for its adapter service when it cannot be reached (one replica
   * restarting), retrying every ADAPTER_RETRY_INTERVAL_MS, before the next candidate; 0: only
   * the MAX_RETRIES retries.
   */
  adapterUnavailableWaitMs?: number;
  /** When every candidate's circuit is open: probe one (panic routing) or refuse. */
  allOpen: 'probe' | 'fail-fast';
  /** The model's hedge policy (its routing policy's `hedge`), if it hedges. */
  hedgeFor?: (model: string) => HedgePolicy | undefined;
  /** The provider and model's recent p95 time to first token, for `afterMs: "p95"`; undefined without enough samples (no hedge). */
  ttftP95For?: (providerId: string, model: string) => number | undefined;
}

/** What one request did, for its UsageEvent. */
export interface RouteRecord {
  attempts: Attempt[];
  served?: RouteCandidate;
  responseModel?: string;
  usage?: Usage;
  /** The usage is the router's estimate (a stream that failed after content, without the provider's counts). */
  usageEstimated?: boolean;
  timeToFirstTokenMs?: number;
  /** Set when a stream failed after content reached the client: the client saw 200, then an in-band error. */
  deliveredFailure?: string;
  /** A second, hedged leg was started (issue 18). */
  hedged?: boolean;
  /** The requested model's routing strategy and why its first candidate was chosen. */
  routing?: { strategy: string; reason: string };
}

export type Operation = 'chat' | 'embeddings';

/** What a routed stream emits: the serving route once, before its first chunk, then chunks. */
export interface RoutedStreamEvent {
  route?: RouteCandidate;
  headers?: Header[];
  attempts?: number;
  chunk?: Uint8Array;
}

interface AttemptLoopInput {
  meta: RequestMeta;
  body: Uint8Array;
  headers: Header[];
  record: RouteRecord;
  parent: Context;
  signal: AbortSignal;
}

/** The limits of one attempt, each already cut to the request's deadline. */
export interface AttemptLimits {
  /** Unary: the answer; streams: the response headers. */
  headersMs: number;
  firstTokenMs: number;
  idleMs: number;
  /** Absolute (Date.now() scale). */
  deadline: number;
}

/** The router's caller for a stream: a promise while it cannot take more (backpressure), else undefined. */
export type WhenWritable = (signal: AbortSignal) => Promise<void> | undefined;

interface AttemptSlot {
  candidate: RouteCandidate;
  adapter: ProviderAdapter;
  request: AdapterRequest;
  trace: AttemptTrace;
  limits: AttemptLimits;
  /** This attempt's own signal: the client leaving, or its hedged twin answering first. */
  signal: AbortSignal;
  /** Bids for the answer at the first byte; false: the twin answered first, this attempt stops. */
  claim: () => boolean;
  /** What the provider reported, kept for a losing leg's attempt record. */
  observed: ObservedUsage;
}

/** How far a timer cut to the request's deadline may fire before Date.now() reaches it (timers and the clock disagree by a few ms). */
const DEADLINE_CLOCK_SLACK_MS = 5;

/** A stream failed after content reached the client: no retry, no fallback. */
class DeliveredFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly chunks: number,
  ) {
    super('stream failed after content reached the client');
  }
}

export class RouteFailure extends Error {
  constructor(readonly grpcError: GatewayGrpcErrorShape | object) {
    super('route failed');
  }
}

/** Route plans by requested model, valid until the config or the set of keys changes. */
const PLAN_CACHE_LIMIT = 1024;
/** Role-only and empty chunks held back before the first content; more than this is sent on as it is. */
const HELD_CHUNKS_LIMIT = 64;
/** The most keys of one provider a request moves on to after a 429 or a 401/403 on the one it used. */
const MAX_KEY_SWITCHES = 8;
/** A 429 without Retry-After cools its key this long. */
const DEFAULT_RATE_LIMIT_COOLDOWN_MS = 1_000;
/** No provider's Retry-After keeps a key out longer than this. */
const MAX_RATE_LIMIT_COOLDOWN_MS = 300_000;
/** A retry after the wait a 429 asked for may find its key cooling for a few ms more (timer rounding). */
const COOLDOWN_GRACE_MS = 50;
/** The retry pace while waiting for an unreachable adapter service: the channels' first reconnect backoff (service-kit GRPC_CHANNEL_OPTIONS). */
const ADAPTER_RETRY_INTERVAL_MS = 250;
/**
 * The longest message the router builds for a failed request: it travels to ingress in gRPC
 * metadata, so it stays well under what an HTTP/2 peer accepts, however many attempts it names.
 */
const ROUTE_MESSAGE_LIMIT = 1_000;
/** A rough bytes-per-token ratio, for the partial usage of a stream that failed without the provider's counts. */
const BYTES_PER_TOKEN = 4;

/** Tries the plan's candidates in order, with bounded retries, within the request's deadline. */
export class RouteExecutor {
  private readonly plans = new Map<string, RoutePlan>();
  private readonly hedges = new HedgeBudget();

  constructor(
    private readonly config: ConfigSnapshotWatcher,
    private readonly keys: ProviderKeysCache,
    private readonly adapters: Pick<AdapterDirectory, 'forKind'>,
    private readonly breaker: CircuitBreaker,
    private readonly keyHealth: KeyHealth,
    private readonly settings: RouteSettings,
    /** Without it, the plan's priority order. */
    private readonly orderer?: RoutePolicyOrderer,
  ) {
    config.onChange(() => this.plans.clear());
    keys.onChange(() => {
      this.plans.clear();
      keyHealth.retain(keys.all());
    });
  }

  private planFor(model: string): RoutePlan {
    const cached = this.plans.get(model);
    if (cached) return cached;
    const view = this.config.current();
    const plan = buildRoutePlan({
      requestedModel: model,
      providers: view.snapshot.providers,
      providersWithKeys: this.keys.providersWithKeys(),
      fallbacks: view.fallbacks,
      catalog: view.catalog,
    });
    if (this.plans.size >= PLAN_CACHE_LIMIT) this.plans.clear();
    this.plans.set(model, plan);
    return plan;
  }

  candidates(meta: RequestMeta): RouteCandidate[] {
    const plan = this.planFor(meta.model);
    if (plan.candidates.length > 0) return plan.candidates;
    if (plan.reason === 'unknown_model') {
      throw new RouteFailure(
        gatewayGrpcError(GrpcStatus.NOT_FOUND, `The model \`${meta.model}\` does not exist or is not served by this gateway.`, {
          openaiErrorType: 'invalid_request_error',
          openaiErrorCode: 'model_not_found',
          param: 'model',
        }),
      );
    }
    const why = plan.unavailableProviders.map((p) => `${p.providerId}: ${p.cause === 'no_key' ? 'no key' : 'disabled'}`).join(', ');
    const providers = [...new Set(plan.unavailableProviders.map((p) => p.providerId))];
    throw new RouteFailure(
      gatewayGrpcError(
        GrpcStatus.FAILED_PRECONDITION,
        `No enabled provider holding a key serves \`${meta.model}\`${why ? ` (${why})` : ''}.`,
        { openaiErrorType: 'service_unavailable', openaiErrorCode: 'no_provider_available', provider: providers.join(',') },
      ),
    );
  }

  /** The plan's candidates in the routing policy's order; the choice is noted in the record. */
  orderedCandidates(meta: RequestMeta, body: Uint8Array, record: RouteRecord): RouteCandidate[] {
    const candidates = this.candidates(meta);
    if (!this.orderer) return candidates;
    const order = this.orderer.order(candidates, meta, body);
    record.routing = { strategy: order.strategy, reason: order.reason };
    return order.candidates;
  }

  /** The limits of an attempt on this candidate (DESIGN.md "Time limits per attempt"). */
  limitsFor(candidate: RouteCandidate, stream: boolean, deadline: number): AttemptLimits {
    const entry = this.config.current().catalog.findModel(candidate.model, candidate.kind);
    const names = [candidate.model, candidate.requestedModel];
    const firstToken = firstTokenTimeoutMs(names, entry, this.settings.firstToken);
    const left = Math.max(0, deadline - Date.now());
    // A reasoning model's provider may hold even its headers until the first token.
    const reasoning = names.some((name) => isReasoningModel(name, entry));
    const unary = reasoning ? Math.max(this.settings.unaryTimeoutMs, firstToken) : this.settings.unaryTimeoutMs;
    const headers = stream ? (reasoning ? firstToken : Math.min(this.settings.headersTimeoutMs, firstToken)) : unary;
    return {
      headersMs: Math.min(headers, left),
      firstTokenMs: Math.min(firstToken, left),
      idleMs: Math.min(this.settings.idleTimeoutMs, left),
      deadline,
    };
  }

  async unary(
    operation: Operation,
    meta: RequestMeta,
    body: Uint8Array,
    headers: Header[],
    signal: AbortSignal,
    record: RouteRecord,
    parent: Context,
  ): Promise<AdapterResponse> {
    return this.runAttempts({ meta, body, headers, record, parent, signal }, async ({ candidate, adapter, request, trace, limits, signal: legSignal, claim, observed }) => {
      const call = (attempt: AbortSignal): Promise<AdapterResponse> => {
        const adapterCall = { signal: attempt, context: trace.context };
        const answer = operation === 'chat' ? adapter.chat(request, adapterCall) : adapter.embeddings(request, adapterCall);
        // Read even when the leg was cancelled meanwhile (callUnary drops the answer then): a loser's tokens were billed.
        answer.then((response) => noteUsage(observed, response), () => undefined);
        return answer;
      };
      const limit = limits.headersMs < this.settings.unaryTimeoutMs ? 'the request deadline' : 'the answer limit';
      const response = await callUnary(call, limits.headersMs, legSignal, candidate.providerId, limit);
      if (!claim()) throw routerAttemptError('client_cancelled', `${candidate.providerId}: the hedged twin answered first`, candidate.providerId);
      record.responseModel = response.responseModel;
      record.usage = response.hasUsage ? response.usage : undefined;
      return response;
    });
  }

  /** `writable` is the caller's backpressure: while it holds, the adapter reads no more of the provider's answer. */
  stream(meta: RequestMeta, body: Uint8Array, headers: Header[], record: RouteRecord, parent: Context, writable?: WhenWritable): Observable<RoutedStreamEvent> {
    return new Observable<RoutedStreamEvent>((subscriber) => {
      const abort = new AbortController();
      const streamOnce = (slot: AttemptSlot): Promise<void> =>
        this.streamAttempt(slot, record, (event) => subscriber.next(event), body.byteLength, writable);
      this.runAttempts({ meta, body, headers, record, parent, signal: abort.signal }, streamOnce)
        .then(() => subscriber.complete())
        .catch((error: unknown) => subscriber.error(error));
      return () => abort.abort();
    });
  }

  /**
   * One streamed attempt under its four limits: headers, first content token, idle gap, and
   * the request's deadline. Role-only and empty chunks wait until the first content chunk,
   * so any failure before it can still fall back. The client leaving stops every timer.
   * The first content chunk is this attempt's first byte: it claims the answer (a hedged twin
   * may have claimed it first); a role-only chunk does not, since providers send it at once.
   */
  private streamAttempt(
    { candidate, adapter, request, trace, limits, signal, claim, observed }: AttemptSlot,
    record: RouteRecord,
    emit: (event: RoutedStreamEvent) => void,
    promptBytes: number,
    writable: WhenWritable | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const provider = candidate.providerId;
      let delivered = 0;
      let finished = false;
      let started = false;
      let settled = false;
      let committed = false;
      let responseModel: string | undefined;
      let startHeaders: Header[] = [];
      const held: Uint8Array[] = [];
      const chunks = streamFactsFor(request.format);
      /** Aborted when this attempt ends for the router (a limit, the client leaving): the adapter stops the provider request. */
      const upstream = new AbortController();
      const timers: NodeJS.Timeout[] = [];
      let idleTimer: NodeJS.Timeout | undefined;

      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        clearTimeout(idleTimer);
        signal.removeEventListener('abort', onAbort);
        upstream.abort();
        if (error === undefined) return resolve();
        if (delivered > 0 && isCancellation(error)) {
          // The client left mid-answer: it is charged what it was sent, not nothing.
          estimateUsage(record, delivered, promptBytes);
          return reject(error);
        }
        if (delivered > 0) {
          if (finished && !(error instanceof DeliveredFailure) && describeAttemptFailure(error).fault.fault !== 'provider_stream_cut') {
            // Ended at the HTTP level after a finish reason: the answer is complete. Not when the
            // adapter says the stream was cut: it counts every choice, and with n > 1 one choice
            // may finish while another is still being written.
            return resolve();
          }
          estimateUsage(record, delivered, promptBytes);
          return reject(error instanceof DeliveredFailure ? error : new DeliveredFailure(error, delivered));
        }
        reject(error);
      };
      const fail = (kind: 'provider_timeout' | 'provider_stream_cut', message: string): void => settle(routerAttemptError(kind, `${provider}: ${message}`, provider));
      const onAbort = (): void => settle(routerAttemptError('client_cancelled', 'client cancelled', provider));
      /** The first byte: false when the hedged twin answered first (this attempt has stopped). */
      const commit = (): boolean => {
        if (!claim()) {
          settle(routerAttemptError('client_cancelled', `${provider}: the hedged twin answered first`, provider));
          return false;
        }
        committed = true;
        if (responseModel) record.responseModel = responseModel;
        if (observed.usage) record.usage = observed.usage;
        record.timeToFirstTokenMs = performance.now() - trace.started;
        record.served = candidate;
        emit({ route: candidate, headers: startHeaders, attempts: record.attempts.length + 1 });
        for (const chunk of held.splice(0)) emit({ chunk });
        return true;
      };
      /** One idle timer per attempt, restarted (refresh) at every chunk rather than replaced. */
      const armIdle = (): void => {
        if (idleTimer) idleTimer.refresh();
        else idleTimer = setTimeout(() => fail('provider_timeout', `stream idle for ${limits.idleMs} ms after ${delivered} chunks`), limits.idleMs);
      };

      timers.push(setTimeout(() => (started ? undefined : fail('provider_timeout', `no response headers within ${limits.headersMs} ms`)), limits.headersMs));
      timers.push(setTimeout(() => (delivered > 0 ? undefined : fail('provider_timeout', `no first token within ${limits.firstTokenMs} ms`)), limits.firstTokenMs));
      timers.push(
        setTimeout(
          () => fail('provider_timeout', `the request deadline passed${delivered > 0 ? ` after ${delivered} chunks` : ''}`),
          Math.max(0, limits.deadline - Date.now()),
        ),
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });

      const sink: AdapterStreamSink = {
        push: (event: AdapterStreamEvent) => {
          if (settled) return;
          if (event.start) {
            started = true;
            startHeaders = event.start.headers;
          }
          if (event.responseModel) responseModel = event.responseModel;
          if (event.usage) observed.usage = event.usage;
          if (committed) {
            if (responseModel) record.responseModel = responseModel;
            if (observed.usage) record.usage = observed.usage;
          }
          if (!event.chunk) return;
          started = true;
          if (delivered === 0) {
            const facts = chunks.facts(event.chunk);
            if (!facts.content && held.length < HELD_CHUNKS_LIMIT) {
              held.push(event.chunk);
              return;
            }
            finished = facts.finished;
            if (!commit()) return;
          } else if (!finished && chunks.finishes(event.chunk)) {
            finished = true;
          }
          delivered += 1;
          emit({ chunk: event.chunk });
          // The emit may have ended the attempt (a slow reader cut): no idle timer after that.
          if (!settled) armIdle();
        },
        // A slow caller pauses the provider read (embedded mode): the idle limit waits meanwhile, as the adapter's does.
        whenWritable: (attemptSignal) => {
          const wait = settled ? undefined : writable?.(attemptSignal);
          if (!wait || delivered === 0) return wait;
          clearTimeout(idleTimer);
          idleTimer = undefined;
          return wait.finally(() => (settled ? undefined : armIdle()));
        },
      };
      adapter.chatStream(request, sink, { signal: upstream.signal, context: trace.context }).then(
        () => {
          if (settled) return;
          if (delivered === 0) {
            if (!started && held.length === 0) return fail('provider_stream_cut', 'stream ended before any answer');
            if (!commit()) return;
          }
          settle();
        },
        (error: unknown) => settle(error),
      );
    });
  }

  /**
   * The attempt loop shared by unary calls and streams: candidates in plan order, bounded
   * retries on each, the breaker and key health consulted, everything within the deadline.
   */
  private async runAttempts<T>(input: AttemptLoopInput, tryOnce: (slot: AttemptSlot) => Promise<T>): Promise<T> {
    const { meta, record, signal } = input;
    const deadline = Date.now() + (Number(meta.deadlineMs) || this.settings.requestTimeoutMs);
    const failures: AttemptFailure[] = [];
    const circuitOpen: RouteCandidate[] = [];
    const coolingMs: number[] = [];
    const skippedModels = new Set<string>();
    const candidates = this.orderedCandidates(meta, input.body, record);
    /** A request hedges once at most. */
    let hedgeStarted = false;
    const countedForHedging = new Set<string>();

    const launch = (candidate: RouteCandidate, key: ResolvedKey, pass: CircuitPass, race: HedgeRace, isHedge: boolean): { leg: Leg; done: Promise<T> } => {
      const adapter = this.adapters.forKind(candidate.kind) as ProviderAdapter;
      const limits = this.limitsFor(candidate, meta.stream, deadline);
      const request = adapterRequest(meta, candidate, key.secret, input.body, input.headers, limits);
      const trace = traceAttempt(input.parent, candidate, meta);
      const own = new AbortController();
      const leg: Leg = {
        candidate,
        key,
        breakerKey: circuitKey(candidate.providerId, candidate.model),
        pass,
        trace,
        signal: AbortSignal.any([signal, own.signal]),
        observed: {},
        settled: false,
        lost: false,
        isHedge,
        cancel: () => own.abort(),
      };
      race.join(leg);
      const done = tryOnce({ candidate, adapter, request, trace, limits, signal: leg.signal, claim: () => race.claim(leg), observed: leg.observed });
      return { leg, done };
    };

    /** When the model hedges: after its delay without a first byte, the same request on the next candidate or key. */
    const hedgeTrigger = (candidate: RouteCandidate, key: ResolvedKey, pass: CircuitPass, race: HedgeRace): HedgeTrigger | undefined => {
      const model = candidate.requestedModel;
      const policy = this.settings.hedgeFor?.(model);
      if (!policy) return undefined;
      if (!countedForHedging.has(model)) {
        countedForHedging.add(model);
        this.hedges.request(model, policy);
      }
      const afterMs = policy.afterMs === 'p95' ? this.settings.ttftP95For?.(candidate.providerId, candidate.model) : policy.afterMs;
      if (afterMs === undefined || !Number.isFinite(afterMs) || afterMs < 0 || Date.now() + afterMs >= deadline) return undefined;
      return {
        afterMs,
        start: () => {
          const target = this.hedgeTarget(candidate, key, pass, candidates, skippedModels);
          if (!target) return undefined;
          if (!this.hedges.tryHedge(model)) {
            // A pass taken for another provider's circuit is handed back; the first leg's own is not.
            if (target.candidate !== candidate) this.breaker.recordAbandoned(circuitKey(target.candidate.providerId, target.candidate.model), target.pass);
            return undefined;
          }
          hedgeStarted = true;
          record.hedged = true;
          return launch(target.candidate, target.key, target.pass, race, true);
        },
      };
    };

    /** 'done' with a result, 'next' candidate, 'fallback' to the next model, or the error to throw; `forced`: panic routing's probe pass for the first attempt. */
    const tryCandidate = async (candidate: RouteCandidate, forced?: CircuitPass): Promise<{ result: T } | 'next' | 'fallback'> => {
      const adapter = this.adapters.forKind(candidate.kind);
      if (!adapter) return 'next';
      const breakerKey = circuitKey(candidate.providerId, candidate.model);
      let graceMs = 0;
      let keySwitches = 0;
      /** When this candidate's adapter service was first found unreachable. */
      let unreachableSince: number | undefined;
      for (let attempt = 1; ; attempt++) {
        const pass = attempt === 1 && forced ? forced : this.breaker.allow(breakerKey);
        if (!pass) {
          if (attempt === 1) circuitOpen.push(candidate);
          return 'next';
        }
        const { keys, start } = this.keys.roundRobin(candidate.providerId);
        const choice = chooseKey(keyOrder(keys, start, this.keyHealth, keySelectionOf(candidate)), 0, this.keyHealth, graceMs);
        if (!choice.key) {
          if (choice.coolingMs > 0) coolingMs.push(choice.coolingMs);
          this.breaker.recordAbandoned(breakerKey, pass);
          return 'next';
        }
        const key = choice.key;
        if (deadline - Date.now() <= 0) {
          this.breaker.recordAbandoned(breakerKey, pass);
          return this.fail(failures, record, true, candidates, circuitOpen, coolingMs);
        }
        const race = new HedgeRace((lost, winner) => record.attempts.push(this.lostAttempt(lost, winner)));
        const first = launch(candidate, key, pass, race, false);
        const trigger = forced || hedgeStarted ? undefined : hedgeTrigger(candidate, key, pass, race);
        const end = await runRace(race, first.leg, first.done, trigger, signal);
        for (const earlier of end.earlier) {
          const described = describeAttemptFailure(earlier.error);
          record.attempts.push(this.failedAttempt(earlier.leg, described, race.hedged));
          this.account(classifyFailure(described.fault, this.config.current().errorActions), earlier.leg, described, deadline);
          failures.push(described);
        }
        const leg = end.leg;
        if (end.outcome.ok) {
          this.breaker.recordSuccess(leg.breakerKey, leg.pass);
          this.keyHealth.markWorking(leg.key);
          record.attempts.push(hedgeMarked(attemptOf(leg.candidate, 'success', 200, hedgeSpan(leg, race.hedged, true)), race.hedged));
          record.served = leg.candidate;
          return { result: end.outcome.result };
        }
        {
          const error = end.outcome.error;
          if (error instanceof DeliveredFailure) {
            const described = describeAttemptFailure(error.cause);
            const cause = `${leg.candidate.providerId}: ${stripProvider(described.cause, leg.candidate.providerId)}`;
            record.attempts.push(this.failedAttempt(leg, described, race.hedged, cause));
            this.account(classifyFailure(described.fault), leg, described, deadline);
            record.deliveredFailure = described.fault.fault;
            throw new RouteFailure(
              gatewayGrpcError(GrpcStatus.UNAVAILABLE, bounded(`The stream from ${leg.candidate.providerId} failed after content was sent: ${stripProvider(described.cause, leg.candidate.providerId)} (${error.chunks} chunks delivered); the answer is incomplete.`), {
                provider: leg.candidate.providerId,
                openaiErrorType: 'api_error',
                openaiErrorCode: described.fault.fault === 'provider_timeout' ? 'stream_timeout' : 'stream_interrupted',
                fault: FAULT_OF_KIND[described.fault.fault],
                attempts: record.attempts.length,
              }),
            );
          }
          const described = describeAttemptFailure(error);
          const classification = classifyFailure(described.fault, this.config.current().errorActions);
          record.attempts.push(this.failedAttempt(leg, described, race.hedged));
          this.account(classification, leg, described, deadline);
          if (classification.action === 'return_to_client') throw new RouteFailure(withAttempts(described, record.attempts.length));
          failures.push(described);
          // A 429 or a 401/403 is its key's, not the provider's: another working key of the provider is tried at once.
          if ((classification.coolDownKey || classification.keyFailing) && keySwitches < MAX_KEY_SWITCHES && this.workingKey(leg.candidate, leg.key)) {
            keySwitches++;
            graceMs = COOLDOWN_GRACE_MS;
            continue;
          }
          if (classification.action === 'next_model') {
            skippedModels.add(candidate.requestedModel);
            return 'fallback';
          }
          if (classification.action === 'next_candidate') return 'next';
          // Our adapter service unreachable (a restart): waited for, within adapterUnavailableWaitMs and the deadline.
          if (described.fault.fault === 'gateway_internal') unreachableSince ??= Date.now();
          const waitingForAdapter =
            unreachableSince !== undefined &&
            described.fault.fault === 'gateway_internal' &&
            Date.now() - unreachableSince < (this.settings.adapterUnavailableWaitMs ?? 0) &&
            deadline - Date.now() > ADAPTER_RETRY_INTERVAL_MS;
          if (!waitingForAdapter && attempt > this.settings.maxRetries) return 'next';
          const delay = waitingForAdapter ? ADAPTER_RETRY_INTERVAL_MS : this.retryDelay(described, attempt, deadline);
          if (delay === null) return 'next';
          await sleep(delay, signal).catch(() => {
            throw new RouteFailure(withAttempts(described, record.attempts.length));
          });
          graceMs = COOLDOWN_GRACE_MS;
        }
      }
    };

    for (const candidate of candidates) {
      if (skippedModels.has(candidate.requestedModel)) continue;
      const outcome = await tryCandidate(candidate);
      if (typeof outcome === 'object') return outcome.result;
    }
    // Panic routing: no candidate served and some were skipped only for their open circuit.
    // One probe at a time: while another request's probe is in flight, this one is refused.
    if (this.settings.allOpen === 'probe' && circuitOpen.length > 0 && deadline > Date.now()) {
      const probe = panicCandidate(circuitOpen, (c) => this.breaker.lastFailureAt(circuitKey(c.providerId, c.model)));
      const pass = probe && this.breaker.forceProbe(circuitKey(probe.providerId, probe.model));
      if (probe && pass) {
        const outcome = await tryCandidate(probe, pass);
        if (typeof outcome === 'object') return outcome.result;
      }
    }
    return this.fail(failures, record, deadline <= Date.now(), candidates, circuitOpen, coolingMs);
  }

  /**
   * Where a hedge goes: the next candidate of the plan for the same model that can take it now
   * (its circuit closed, a working key), else another working key of the same provider; never
   * the key the first leg holds.
   */
  private hedgeTarget(
    current: RouteCandidate,
    busy: ResolvedKey,
    currentPass: CircuitPass,
    candidates: readonly RouteCandidate[],
    skippedModels: ReadonlySet<string>,
  ): { candidate: RouteCandidate; key: ResolvedKey; pass: CircuitPass } | undefined {
    const index = candidates.indexOf(current);
    for (const next of index < 0 ? [] : candidates.slice(index + 1)) {
      // Another provider of the same model only: a fallback model answers only when the model failed.
      if (next.requestedModel !== current.requestedModel || skippedModels.has(next.requestedModel) || !this.adapters.forKind(next.kind)) continue;
      const key = this.workingKey(next, busy);
      const pass = key && this.breaker.allow(circuitKey(next.providerId, next.model));
      if (key && pass) return { candidate: next, key, pass };
    }
    // Another key of the same provider shares the first leg's pass: the request holds the circuit's probe, if any, once.
    const key = this.workingKey(current, busy);
    return key ? { candidate: current, key, pass: currentPass } : undefined;
  }

  /** A key of the candidate's provider other than `busy`, neither cooling nor failing. */
  private workingKey(candidate: RouteCandidate, busy: ResolvedKey): ResolvedKey | undefined {
    const { keys, start } = this.keys.roundRobin(candidate.providerId);
    const ordered = keyOrder(keys, start, this.keyHealth, keySelectionOf(candidate)).filter((key) => !(key.provider === busy.provider && key.id === busy.id));
    const choice = chooseKey(ordered, 0, this.keyHealth);
    return choice.key && !this.keyHealth.isFailing(choice.key) ? choice.key : undefined;
  }

  /**
   * A hedged leg cancelled because its twin answered first: no verdict on its provider. Its
   * probe, if it holds one, is freed, unless the winner shares its circuit (and pass): the
   * winner's outcome settles it.
   */
  private lostAttempt(leg: Leg, winner: Leg): Attempt {
    if (winner.breakerKey !== leg.breakerKey) this.breaker.recordAbandoned(leg.breakerKey, leg.pass);
    const attempt = hedgeMarked(attemptOf(leg.candidate, 'hedge_lost', 0, hedgeSpan(leg, true, false), undefined, 'cancelled: the other hedged leg answered first'), true);
    if (leg.observed.usage) attempt.usage = leg.observed.usage;
    leg.observed.lostAttempt = attempt;
    return attempt;
  }

  private failedAttempt(leg: Leg, described: AttemptFailure, hedged: boolean, cause = described.cause): Attempt {
    const attempt = attemptOf(leg.candidate, outcomeOf(described), described.fault.status ?? 0, hedgeSpan(leg, hedged, false), FAULT_OF_KIND[described.fault.fault], cause);
    return hedgeMarked(attempt, hedged);
  }

  /**
   * The failure's effect on the breaker and the key, as its classification says. A time limit
   * that ran out with the request's deadline is the request's (a client may ask for 20 ms with
   * x-gateway-timeout-ms): it counts against nobody, as a cancellation does, so no client can open
   * a provider's circuit for everyone else. The attempt's own limits (headers, first token, idle,
   * the answer limit) still count.
   */
  private account(classification: FailureClassification, { breakerKey, pass, key }: Leg, described: AttemptFailure, deadline: number): void {
    const cutByDeadline = described.fault.fault === 'provider_timeout' && Date.now() >= deadline - DEADLINE_CLOCK_SLACK_MS;
    if (classification.countsAgainstProvider && !cutByDeadline) this.breaker.recordFailure(breakerKey, pass);
    else this.breaker.recordAbandoned(breakerKey, pass);
    if (classification.keyFailing) this.keyHealth.markFailing(key, described.fault.status ?? 0);
    if (classification.coolDownKey) {
      const asked = Number(described.decoded.detail?.retryAfterMs ?? 0);
      this.keyHealth.coolDown(key, Math.min(asked > 0 ? asked : DEFAULT_RATE_LIMIT_COOLDOWN_MS, MAX_RATE_LIMIT_COOLDOWN_MS));
    }
  }

  private retryDelay(described: AttemptFailure, attempt: number, deadline: number): number | null {
    const retryAfter = described.decoded.detail?.retryAfterMs;
    return retryDelayMs({
      attempt,
      baseMs: this.settings.retryBaseMs,
      maxMs: 2_000,
      retryAfterMsHeader: retryAfter ? String(retryAfter) : undefined,
      retryAfterMaxMs: this.settings.retryAfterMaxMs,
      remainingBudgetMs: deadline - Date.now(),
      random: Math.random,
    });
  }

  /**
   * The one answer for a request no candidate served. The status follows the gRPC code
   * alone, so the client and the usage event see the same one (CONTRACT.md): 429 when every
   * candidate rate-limits, 503 when none could be tried (fail-fast, keys cooling, our adapter
   * service down), 504 when the last real cause was a timeout, else 502; the message names
   * the last real cause.
   */
  private fail(
    failures: AttemptFailure[],
    record: RouteRecord,
    deadlinePassed: boolean,
    candidates: RouteCandidate[],
    circuitOpen: RouteCandidate[],
    coolingMs: number[],
  ): never {
    const attempts = record.attempts.length;
    const rateLimited = failures.filter((f) => f.fault.fault === 'provider_http' && f.fault.status === 429);
    const real = failures.filter((f) => f.fault.fault !== 'gateway_internal');
    if (failures.length === rateLimited.length && (rateLimited.length > 0 || coolingMs.length > 0)) {
      const waits = [...rateLimited.map((f) => Number(f.decoded.detail?.retryAfterMs ?? 0)), ...coolingMs].filter((ms) => ms > 0);
      const last = rateLimited[rateLimited.length - 1]?.decoded.detail;
      throw new RouteFailure(
        gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'Every provider for this model is rate limiting the gateway; retry later.', {
          openaiErrorType: 'rate_limit_exceeded',
          openaiErrorCode: 'rate_limit_exceeded',
          provider: last?.provider ?? candidates[0]?.providerId ?? '',
          retryAfterMs: waits.length ? Math.min(...waits) : 1000,
          headers: last?.headers ?? [],
          attempts,
        }),
      );
    }
    if (real.length === 0) {
      const open = circuitOpen.map((c) => `${c.providerId}/${c.model}`);
      const internal = failures[failures.length - 1];
      const refusal = this.settings.allOpen === 'probe' ? 'its probe is in flight' : 'fail-fast';
      const message = internal
        ? `The gateway could not reach its adapter service: ${internal.cause}`
        : deadlinePassed
          ? 'The request deadline passed before any provider could be tried.'
          : `No provider could take the request now${open.length ? ` (circuit open: ${open.join(', ')}; ${refusal})` : ' (keys just revoked)'}.`;
      // Refused for open circuits alone: retry when the first of them lets a probe through.
      const cooldowns = internal || deadlinePassed ? [] : circuitOpen.map((c) => this.breaker.cooldownLeftMs(circuitKey(c.providerId, c.model))).filter((ms) => ms > 0);
      throw new RouteFailure(
        gatewayGrpcError(deadlinePassed && !internal ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.FAILED_PRECONDITION, bounded(message), {
          openaiErrorType: 'service_unavailable',
          openaiErrorCode: internal ? 'gateway_unavailable' : 'no_provider_available',
          retryable: true,
          attempts,
          fault: internal ? FAULT_OF_KIND.gateway_internal : Fault.FAULT_UNSPECIFIED,
          ...(cooldowns.length > 0 ? { retryAfterMs: Math.min(...cooldowns) } : {}),
        }),
      );
    }
    const last = real[real.length - 1];
    const timedOut = deadlinePassed || last.fault.fault === 'provider_timeout';
    // The attempts first (cut when there are many), then the last real cause in full.
    const summary = bounded(failures.map((f) => `${f.decoded.detail?.provider || 'adapter'}: ${shortCause(f)}`).join('; '), ROUTE_MESSAGE_LIMIT / 2);
    const provider = last.decoded.detail?.provider ?? '';
    throw new RouteFailure(
      gatewayGrpcError(
        timedOut ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.UNAVAILABLE,
        bounded(`Every provider failed (${summary}). Last: ${provider ? `${provider}: ` : ''}${stripProvider(last.cause, provider)}`),
        {
          openaiErrorType: timedOut ? 'timeout_error' : 'api_error',
          provider,
          upstreamHttpStatus: last.decoded.detail?.upstreamHttpStatus ?? 0,
          attempts,
          fault: FAULT_OF_KIND[last.fault.fault],
        },
      ),
    );
  }
}

/** The provider's key selection mode; round robin unless it asks for least_recently_limited. */
function keySelectionOf(candidate: RouteCandidate): KeySelection {
  return candidate.settings?.keySelection === 'least_recently_limited' ? 'least_recently_limited' : 'round_robin';
}

/** A unary answer's usage, for the leg's record; a lost leg's attempt gets it too when it lands late. */
function noteUsage(observed: ObservedUsage, response: AdapterResponse): void {
  if (!response.hasUsage || !response.usage) return;
  observed.usage = response.usage;
  if (observed.lostAttempt && !observed.lostAttempt.usage) observed.lostAttempt.usage = response.usage;
}

/** Both legs of a hedged request say so in their attempt record. */
function hedgeMarked(attempt: Attempt, hedged: boolean): Attempt {
  if (hedged) attempt.hedge = true;
  return attempt;
}

/** The span attributes of a hedged leg (`gateway.hedge`, and whether it won); returns the trace for attemptOf. */
function hedgeSpan(leg: Leg, hedged: boolean, won: boolean): AttemptTrace {
  if (hedged) {
    leg.trace.span.setAttribute('gateway.hedge', true);
    leg.trace.span.setAttribute('gateway.hedge.leg', leg.isHedge ? 'second' : 'first');
    leg.trace.span.setAttribute('gateway.hedge.won', won);
  }
  return leg.trace;
}

function bounded(message: string, limit = ROUTE_MESSAGE_LIMIT): string {
  return message.length > limit ? `${message.slice(0, limit - 1)}…` : message;
}

function isCancellation(error: unknown): boolean {
  return describeAttemptFailure(error).fault.fault === 'client_cancelled';
}

/**
 * A stream that ended early after content (it failed, or the client left): what the client got,
 * counted roughly (a token per chunk) where the provider's own counts do not cover it yet. Those
 * may be partial: Anthropic's message_start counts the input and one output token, the final
 * count comes at the end.
 */
function estimateUsage(record: RouteRecord, chunks: number, promptBytes: number): void {
  const counted = record.usage;
  if (counted && counted.completionTokens >= chunks) return;
  const promptTokens = counted?.promptTokens || Math.ceil(promptBytes / BYTES_PER_TOKEN);
  record.usage = { promptTokens, completionTokens: chunks, totalTokens: promptTokens + chunks, cachedPromptTokens: counted?.cachedPromptTokens ?? 0, reasoningTokens: counted?.reasoningTokens ?? 0 };
  record.usageEstimated = true;
}

function outcomeOf(described: AttemptFailure): string {
  switch (described.fault.fault) {
    case 'provider_http':
      return described.fault.status === 429 ? 'rate_limited' : 'error';
    case 'provider_timeout':
      return 'timeout';
    case 'provider_connection':
      return 'connection_error';
    case 'client_cancelled':
      return 'cancelled';
    case 'gateway_internal':
      return 'gateway_error';
    case 'provider_stream_cut':
      return 'stream_cut';
    case 'provider_malformed':
      return 'malformed';
    case 'client_request':
      return 'client_error';
  }
}

function shortCause(failure: AttemptFailure): string {
  if (failure.fault.fault === 'provider_http') return `HTTP ${failure.fault.status}`;
  if (failure.fault.fault === 'gateway_internal') return 'adapter service unavailable';
  return stripProvider(failure.cause, failure.decoded.detail?.provider ?? '');
}

/** Our own messages start with "<provider>: "; the summary names the provider once. */
function stripProvider(cause: string, provider: string): string {
  return provider && cause.startsWith(`${provider}: `) ? cause.slice(provider.length + 2) : cause;
}

/** The error as the adapter sent it, with the number of attempts made so far. */
function withAttempts(described: AttemptFailure, attempts: number): object {
  const detail = described.decoded.detail;
  if (!detail) return described.error as object;
  return gatewayGrpcError(described.decoded.code, described.decoded.message, { ...detail, attempts });
}

function adapterRequest(meta: RequestMeta, candidate: RouteCandidate, apiKey: string, body: Uint8Array, headers: Header[], limits: AttemptLimits): AdapterRequest {
  const backstop = meta.stream ? Math.max(limits.headersMs, limits.firstTokenMs, limits.idleMs) : limits.headersMs;
  return {
    requestId: meta.requestId,
    target: {
      providerId: candidate.providerId,
      kind: candidate.kind,
      baseUrl: candidate.baseUrl,
      apiKey,
      settings: candidate.settings,
      model: candidate.model,
      maxOutputTokens: candidate.maxOutputTokens ?? 0,
    },
    body,
    includeUsage: meta.includeUsage,
    headers,
    timeoutMs: Math.max(1, Math.min(backstop, limits.deadline - Date.now())),
    clientModel: meta.model,
    ...(meta.format ? { format: meta.format } : {}),
    ...(candidate.viaFallback ? { viaFallback: true } : {}),
    headersTimeoutMs: limits.headersMs,
    firstTokenTimeoutMs: limits.firstTokenMs,
    idleTimeoutMs: limits.idleMs,
    deadlineUnixMs: limits.deadline,
  };
}
