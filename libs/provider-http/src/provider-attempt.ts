/**
 * How a provider kind's adapter is written: a class implementing ProviderAdapter whose methods
 * are translation plus a few calls on one ProviderAttempt —
 *
 *   chat(request, call) {
 *     return ProviderAttempt.unary('chat', request, call, this.logUnexpected, async (attempt) => {
 *       const body = attempt.translate(() => toProviderBody(request, attempt.target)); // throws: the client's request
 *       const response = await attempt.send(this.upstream, url, headers, body, toProviderError); // non-2xx: the provider's error
 *       const bytes = await attempt.readBody(response, this.upstream.maxResponseBytes);
 *       return { body: toOpenAi(bytes), ... };
 *     });
 *   }
 *
 *   chatStream(request, sink, call) {
 *     return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt) => {
 *       const response = await attempt.send(...);
 *       sink.push({ start: { headers } });
 *       const parser = new MyStreamParser();
 *       await attempt.relay(response, sink, { feed: (piece) => emit(parser.feed(piece)), finish: ..., get complete() {...} });
 *     });
 *   }
 *
 * The attempt owns what every kind shares: the time limits (UpstreamAttempt), the caller's
 * cancellation, the span, the key scrubber, backpressure and the one classification of every
 * failure into the GatewayGrpcErrorShape the router reads — identical in embedded and service mode.
 */
import { attemptScrubber } from '@ai-gateway/logging';
import type { ProviderError } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse, AdapterStreamEvent, ProviderTarget, Usage } from '@ai-gateway/proto';
import type { GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { limitsOf, targetOf } from './adapter-request';
import { adapterGrpcError, clientRequestGrpcError, providerAnswerGrpcError, ProviderAnswerError, type FailureContext } from './adapter-failure';
import type { AdapterCall, AdapterStreamSink } from './provider-adapter';
import { readBounded, readLimited } from './read-limited';
import { providerRetryAfterMs } from './retry-after';
import { UpstreamAttempt } from './upstream-attempt';
import type { UpstreamClient, UpstreamResponse } from './upstream.client';
import { UpstreamSpan } from './upstream-span';

export type LogUnexpected = FailureContext['logUnexpected'];

/** A provider's non-2xx answer, read by the kind's error translation. */
export interface ProviderErrorAnswer {
  error: ProviderError;
  /** Rate-limit headers to pass on to the client (already in OpenAI's names). */
  headers?: Record<string, string>;
  /** The wait the provider asked for in its body (Gemini's RetryInfo), in ms; else its Retry-After headers count. */
  retryAfterMs?: number;
}

/** Turns a non-2xx answer (status, first 64 KiB of its body, lowercase headers) into the provider's error. */
export type ProviderErrorReader = (status: number, text: string, headers: Record<string, string>) => ProviderErrorAnswer;

/** What a kind's stream translation does with each piece of the provider's body. */
export interface PieceRelay {
  /** Translates one piece and pushes its events; a failure (an error event in the stream) ends it. */
  feed(piece: Buffer): GatewayGrpcErrorShape | undefined;
  /** The body ended: pushes what the parser still holds (and the usage), or the failure. */
  finish(): GatewayGrpcErrorShape | undefined;
  /** Every choice finished: a transport error from now on loses nothing. */
  readonly complete: boolean;
  /** The provider sent its closing event (`[DONE]`, `message_stop`): nothing after it is read. */
  readonly closed?: boolean;
}

/** An in-stream output that failed: the provider's error event, or an answer we cannot read. */
export interface StreamFailureOutput {
  cause: 'provider_error' | 'malformed' | 'stream_cut';
  error: ProviderError;
}

export class ProviderAttempt {
  readonly target: ProviderTarget;
  readonly timing: UpstreamAttempt;
  readonly scrub: (text: string) => string;
  private answeredYet = false;
  /** Chunks relayed so far (streams only). */
  private chunks: number | undefined;

  private constructor(
    request: AdapterRequest,
    call: AdapterCall,
    private readonly stream: boolean,
    private readonly logUnexpected: LogUnexpected,
  ) {
    this.target = targetOf(request);
    this.timing = new UpstreamAttempt(limitsOf(request), call.signal);
    this.scrub = attemptScrubber(this.target.apiKey);
    if (stream) this.chunks = 0;
  }

  /** Runs one unary call (chat, embeddings) in its span; every failure rejects as the classified GatewayGrpcErrorShape. */
  static async unary(
    operation: 'chat' | 'embeddings',
    request: AdapterRequest,
    call: AdapterCall,
    logUnexpected: LogUnexpected,
    run: (attempt: ProviderAttempt) => Promise<AdapterResponse>,
  ): Promise<AdapterResponse> {
    const span = new UpstreamSpan(operation, request.target, call);
    let attempt: ProviderAttempt | undefined;
    try {
      attempt = new ProviderAttempt(request, call, false, logUnexpected);
      const response = await run(attempt);
      span.succeeded(response.responseModel, response.usage);
      return response;
    } catch (error) {
      const failure = attempt ? attempt.failure(error) : classifiedBeforeStart(error);
      span.failed(UpstreamSpan.errorType(failure));
      throw failure;
    } finally {
      attempt?.timing.done();
    }
  }

  /** Runs one stream in its span: `run` pushes the events to `sink`; every failure rejects as the classified shape. */
  static async stream(
    request: AdapterRequest,
    sink: AdapterStreamSink,
    call: AdapterCall,
    logUnexpected: LogUnexpected,
    run: (attempt: ProviderAttempt, sink: AdapterStreamSink) => Promise<void>,
  ): Promise<void> {
    const span = new UpstreamSpan('chat', request.target, call);
    let responseModel: string | undefined;
    let usage: Usage | undefined;
    const traced: AdapterStreamSink = {
      push: (event: AdapterStreamEvent) => {
        if (event.responseModel) responseModel = event.responseModel;
        if (event.usage) usage = event.usage;
        sink.push(event);
      },
      whenWritable: (signal) => sink.whenWritable(signal),
    };
    let attempt: ProviderAttempt | undefined;
    try {
      attempt = new ProviderAttempt(request, call, true, logUnexpected);
      await run(attempt, traced);
      span.succeeded(responseModel, usage);
    } catch (error) {
      const failure = attempt ? attempt.failure(error) : classifiedBeforeStart(error);
      span.failed(call.signal.aborted ? 'cancelled' : UpstreamSpan.errorType(failure));
      throw failure;
    } finally {
      attempt?.timing.done();
    }
  }

  /** Aborted by a time limit of the attempt or by the caller. */
  get signal(): AbortSignal {
    return this.timing.signal;
  }

  /** Builds the provider's request; whatever fails here is the client's request (INVALID_ARGUMENT, never an internal text). */
  translate<T>(build: () => T): T {
    try {
      return build();
    } catch (error) {
      throw clientRequestGrpcError(this.target.providerId, error, this.logUnexpected);
    }
  }

  /**
   * POSTs the provider's request and resolves at a 2xx answer's headers (the first-token or
   * idle limit runs from here). A non-2xx answer rejects as the provider's error: its text
   * scrubbed of the attempt's key and cut, its Retry-After kept.
   */
  async send(client: UpstreamClient, url: string, headers: Record<string, string>, body: Uint8Array | string, errorOf: ProviderErrorReader): Promise<UpstreamResponse> {
    const response = await client.post(url, headers, body, this.timing.limits, this.signal);
    if (response.status >= 200 && response.status < 300) {
      this.answeredYet = true;
      this.timing.answered(this.stream);
      return response;
    }
    const text = await readLimited(response);
    const flat = flatHeaders(response.headers);
    const answer = errorOf(response.status, text, flat);
    throw providerAnswerGrpcError(this.target.providerId, answer.error, this.scrub, { headers: answer.headers, retryAfterMs: answer.retryAfterMs || providerRetryAfterMs(flat) });
  }

  /** A whole 2xx body, bounded (larger: a malformed answer); each piece restarts the idle limit. */
  readBody(response: UpstreamResponse, maxBytes: number): Promise<Buffer> {
    return readBounded(response, maxBytes, this.timing);
  }

  /** A chunk is about to be pushed; `content` (text, tool call or finish reason) ends the first-token wait. */
  chunk(content: boolean): void {
    if (content) this.timing.firstToken();
    this.chunks = (this.chunks ?? 0) + 1;
  }

  /** An error output of a stream parser as the stream's failure (with the wait an error event asked for, if any). */
  streamFailure(output: StreamFailureOutput, retryAfterMs = 0): GatewayGrpcErrorShape {
    if (output.cause === 'provider_error') return providerAnswerGrpcError(this.target.providerId, output.error, this.scrub, { retryAfterMs });
    return this.failure(new ProviderAnswerError(output.cause, output.error.message));
  }

  /**
   * Feeds the provider's body to `relay` piece by piece. After each piece it waits while the
   * sink cannot take more (backpressure: a slow reader slows the read from the provider, and
   * the provider's time limit is suspended meanwhile).
   */
  async relay(response: UpstreamResponse, sink: AdapterStreamSink, relay: PieceRelay): Promise<void> {
    let failure: GatewayGrpcErrorShape | undefined;
    try {
      for await (const piece of response.body.iterator({ destroyOnReturn: false })) {
        this.timing.progress();
        failure = relay.feed(piece as Buffer);
        // A provider that keeps its body open after its closing event must not hold the answer
        // (until its idle limit, which would then fail a whole answer).
        if (failure || relay.closed) break;
        const writable = sink.whenWritable(this.signal);
        if (writable) await this.timing.holdFor(writable);
      }
    } catch (error) {
      // A transport error once every choice finished loses nothing: the answer is whole.
      if (!relay.complete || this.signal.aborted) throw error;
    } finally {
      if (!failure && relay.closed) releaseAfterClosingEvent(response.body);
      else if (!response.body.readableEnded) discard(response.body);
    }
    if (this.signal.aborted) throw this.failure(new Error('aborted'));
    failure ??= relay.finish();
    if (failure) throw failure;
  }

  /** Any failure of this attempt, classified once (FailureContext). */
  failure(error: unknown): GatewayGrpcErrorShape {
    return adapterGrpcError(error, {
      providerId: this.target.providerId,
      signal: this.signal,
      limits: this.timing.limits,
      answered: this.answeredYet,
      chunks: this.chunks,
      scrub: this.scrub,
      logUnexpected: this.logUnexpected,
    });
  }
}

/** Upstream (undici) headers as one lowercase string per name; repeated values are joined with ", ". */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Closes a body no longer read (undici then emits an abort error, which concerns nobody). */
function discard(body: UpstreamResponse['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** How long a body the provider keeps open after its closing event may take to end on its own. */
const CLOSING_GRACE_MS = 1_000;

/**
 * Reads what is left of a body after the provider's closing event, so that a body ending a
 * moment later (the usual case: the chunked terminator right behind `[DONE]`) returns its
 * connection to the pool; one still open after CLOSING_GRACE_MS is closed.
 */
function releaseAfterClosingEvent(body: UpstreamResponse['body']): void {
  if (body.readableEnded || body.destroyed) return;
  const timer = setTimeout(() => discard(body), CLOSING_GRACE_MS);
  timer.unref();
  body.once('close', () => clearTimeout(timer));
  body.on('error', () => undefined);
  body.resume();
}

/** A request refused before its attempt existed (no target: the router's bug). */
function classifiedBeforeStart(error: unknown): GatewayGrpcErrorShape {
  const shape = (error as { getError?: () => unknown }).getError?.() ?? error;
  return shape as GatewayGrpcErrorShape;
}
