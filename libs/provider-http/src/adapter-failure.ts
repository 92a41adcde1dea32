import { RpcException } from '@nestjs/microservices';
import { errors as undiciErrors } from 'undici';
import { OpenAiRequestError, type ProviderError } from '@ai-gateway/openai-api';
import { Fault } from '@ai-gateway/proto';
import { SseLimitError } from '@ai-gateway/sse';
import { gatewayGrpcError, GrpcStatus, providerGrpcError, truncateUtf8, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { AttemptLimits } from './adapter-request';
import { toUpstreamError, UpstreamCallError, type TimeoutPhase, type UpstreamFailure } from './upstream.client';

// Every failure an adapter reports is classified here, once, where it is first seen
// (STYLE.md "Faults are data"): the client's request, the client leaving, the provider's
// connection, time limits, error answers, unreadable answers, cut streams, our own bugs.

/**
 * A provider's own error text embedded in a gRPC error: its first sentences are what a client
 * needs; a 64 KiB body (readLimited's cap) must never travel. Bounded again at 1 KiB by
 * gatewayGrpcError with everything else.
 */
export const MAX_PROVIDER_ERROR_MESSAGE_BYTES = 512;

/** The provider answered 2xx but what it sent cannot be used (malformed), or stopped before its end (stream_cut). */
export class ProviderAnswerError extends Error {
  constructor(
    readonly kind: 'malformed' | 'stream_cut',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ProviderAnswerError';
  }
}

export interface FailureContext {
  providerId: string;
  signal: AbortSignal;
  limits: AttemptLimits;
  /** The provider's headers arrived: a broken connection now cuts an answer, it is no connection failure. */
  answered: boolean;
  /** Chunks relayed to the router so far (streams); undefined for a unary answer. */
  chunks?: number;
  /** The attempt's scrubber (its key, its slices, every registered secret). */
  scrub: (text: string) => string;
  /** Logs an unexpected exception (the text is scrubbed by the caller's logger too). */
  logUnexpected: (message: string, detail: Record<string, unknown>) => void;
}

/** What a provider's error `type`, `code` and `param` look like: short identifiers (`context_length_exceeded`, `messages[0].content`), at most as long as an error action's key may be. */
const PROVIDER_IDENTIFIER = /^[A-Za-z0-9_.:[\]-]{1,100}$/;

/**
 * A provider's error answer (HTTP error or error event in a stream): message scrubbed and cut,
 * fault PROVIDER_HTTP. Its `type`, `code` and `param` become the client's error fields, the usage
 * event's error type, a metric label and a trace attribute: each is kept only when it is a short
 * identifier the scrubber leaves alone, so a provider echoing a key (or anything long) there
 * passes nothing on.
 */
export function providerAnswerGrpcError(
  providerId: string,
  error: ProviderError,
  scrub: (text: string) => string,
  extra: { retryAfterMs?: number; headers?: Record<string, string> } = {},
): GatewayGrpcErrorShape {
  const identifier = (value: string | null): string | null => (value !== null && PROVIDER_IDENTIFIER.test(value) && scrub(value) === value ? value : null);
  return providerGrpcError(
    providerId,
    {
      ...error,
      type: identifier(error.type) ?? (error.status >= 500 ? 'server_error' : 'invalid_request_error'),
      code: identifier(error.code),
      param: identifier(error.param),
      message: truncateUtf8(scrub(error.message), MAX_PROVIDER_ERROR_MESSAGE_BYTES),
    },
    extra,
  );
}

/**
 * The client's request could not be made into the provider's: a translation refusal naming its
 * parameter, or a body that breaks serialisation (too deep) or has a wrong type. Never an
 * internal error text: only OpenAiRequestError's message, written for clients, is passed on.
 */
export function clientRequestGrpcError(providerId: string, error: unknown, logUnexpected: FailureContext['logUnexpected']): GatewayGrpcErrorShape {
  const client = (message: string, detail: { param?: string; code?: string; type?: string } = {}): GatewayGrpcErrorShape =>
    gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, message, {
      provider: providerId,
      openaiErrorType: detail.type ?? 'invalid_request_error',
      openaiErrorCode: detail.code ?? '',
      param: detail.param ?? '',
      fault: Fault.FAULT_CLIENT_REQUEST,
    });
  if (error instanceof OpenAiRequestError) return client(error.message, { param: error.param ?? '', code: error.code ?? '', type: error.type });
  if (error instanceof SyntaxError) return client('The request body is not valid JSON.');
  if (error instanceof RangeError) {
    return client('The request body is nested too deeply to be sent to the provider.', { code: 'nesting_too_deep' });
  }
  logUnexpected('the request could not be translated', { error: describeError(error, (text) => text) });
  return client('The request body could not be translated for the provider: a field has an unexpected type or shape.', {
    code: 'invalid_request_body',
  });
}

/** Any failure after the request was built, as the gRPC error the router reads. */
export function adapterGrpcError(error: unknown, context: FailureContext): GatewayGrpcErrorShape {
  if (error instanceof RpcException) return error.getError() as GatewayGrpcErrorShape;
  if (isGatewayGrpcErrorShape(error)) return error;
  const { providerId } = context;
  if (error instanceof ProviderAnswerError) return answerGrpcError(error, context);
  if (error instanceof SseLimitError) return answerGrpcError(new ProviderAnswerError('malformed', error.message), context);
  if (error instanceof UpstreamCallError || context.signal.aborted || isTransportError(error)) {
    const failure = toUpstreamError(error, context.signal, context.limits).failure;
    if (failure.kind === 'connection' && context.answered) {
      return answerGrpcError(new ProviderAnswerError('stream_cut', `connection ${context.scrub(failure.message)}`), context);
    }
    return upstreamFailureGrpcError(providerId, failure, context);
  }
  context.logUnexpected('unexpected failure while relaying the provider answer', { error: describeError(error, context.scrub) });
  return gatewayGrpcError(GrpcStatus.INTERNAL, `the adapter for provider ${providerId} failed while handling its answer`, {
    provider: providerId,
    retryable: true,
    openaiErrorType: 'api_error',
    openaiErrorCode: 'internal_error',
    fault: Fault.FAULT_GATEWAY_INTERNAL,
  });
}

/** No (more) answer: the client left, a time limit ran out, or the provider could not be reached. */
export function upstreamFailureGrpcError(
  providerId: string,
  failure: UpstreamFailure,
  progress: { chunks?: number; scrub?: (text: string) => string } = {},
): GatewayGrpcErrorShape {
  if (failure.kind === 'cancelled') {
    return gatewayGrpcError(GrpcStatus.CANCELLED, 'request cancelled by the client', { provider: providerId, fault: Fault.FAULT_CLIENT_CANCELLED });
  }
  if (failure.kind === 'timeout') {
    return gatewayGrpcError(GrpcStatus.DEADLINE_EXCEEDED, timeoutMessage(providerId, failure.phase, failure.limitMs, progress.chunks), {
      provider: providerId,
      retryable: true,
      openaiErrorType: 'timeout_error',
      openaiErrorCode: `${failure.phase}_timeout`,
      fault: Fault.FAULT_PROVIDER_TIMEOUT,
    });
  }
  const reason = progress.scrub ? progress.scrub(failure.message) : failure.message;
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, `could not reach provider ${providerId} (${reason})`, {
    provider: providerId,
    retryable: true,
    openaiErrorType: 'api_error',
    fault: Fault.FAULT_PROVIDER_CONNECTION,
  });
}

function timeoutMessage(providerId: string, phase: TimeoutPhase, limitMs: number, chunks?: number): string {
  if (phase === 'headers') return `provider ${providerId} sent no response headers within ${limitMs} ms`;
  if (phase === 'first_token') return `provider ${providerId} sent no first token within ${limitMs} ms`;
  if (phase === 'deadline') {
    return `provider ${providerId} had not finished when the request deadline passed (${limitMs} ms)${chunks === undefined ? '' : ` after ${chunks} chunks`}`;
  }
  if (chunks === undefined) return `provider ${providerId} stalled: its answer was idle for ${limitMs} ms`;
  return `provider ${providerId} stalled: the stream was idle for ${limitMs} ms after ${chunks} chunks`;
}

function answerGrpcError(error: ProviderAnswerError, context: FailureContext): GatewayGrpcErrorShape {
  const { providerId, chunks } = context;
  const reason = context.scrub(error.reason);
  const message =
    error.kind === 'stream_cut'
      ? chunks === undefined
        ? `provider ${providerId} cut its answer (${reason})`
        : `provider ${providerId} stream cut after ${chunks} chunks (${reason})`
      : `provider ${providerId} sent a malformed answer: ${reason}`;
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, message, {
    provider: providerId,
    retryable: true,
    openaiErrorType: 'api_error',
    openaiErrorCode: error.kind === 'stream_cut' ? 'stream_cut' : 'bad_upstream_response',
    fault: error.kind === 'stream_cut' ? Fault.FAULT_PROVIDER_STREAM_CUT : Fault.FAULT_PROVIDER_MALFORMED,
  });
}

/** A failure already classified (thrown as the shape itself, not an Error). */
export function isGatewayGrpcErrorShape(error: unknown): error is GatewayGrpcErrorShape {
  return typeof error === 'object' && error !== null && !(error instanceof Error) && typeof (error as { code?: unknown }).code === 'number' && 'metadata' in error;
}

/** Network and HTTP-client failures (undici errors, socket errors with a code), as opposed to bugs. */
function isTransportError(error: unknown): boolean {
  if (error instanceof undiciErrors.UndiciError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && !(error instanceof TypeError) && !(error instanceof RangeError);
}

/** An exception for the log: its name, message and top of stack (the logger scrubs secrets). */
function describeError(error: unknown, scrub: (text: string) => string): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: scrub(String(error).slice(0, 500)) };
  const stack = error.stack?.split('\n').slice(0, 6).join('\n');
  return { name: error.name, message: scrub(error.message.slice(0, 500)), ...(stack ? { stack: scrub(stack.slice(0, 2000)) } : {}) };
}
