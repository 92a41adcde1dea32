import type { ProviderError } from '@ai-gateway/openai-api';

const KEY_SHAPE = /(sk-[A-Za-z0-9_*-]{4,}|gw-[A-Za-z0-9_-]{8,})/g;

/** Client status for a provider's status (CONTRACT.md): provider credential problems are the gateway's, not the client's. */
export function clientStatusFor(upstreamStatus: number): number {
  if (PASSED_THROUGH.has(upstreamStatus)) return upstreamStatus;
  if (upstreamStatus === 422) return 400;
  if (upstreamStatus === 408 || upstreamStatus === 504) return 504;
  return 502;
}

const PASSED_THROUGH = new Set([400, 404, 413, 429]);

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** An OpenAI-compatible provider's error answer, in the gateway's terms; key-shaped text scrubbed. */
export function openAiProviderError(upstreamStatus: number, bodyText: string): ProviderError {
  let type = upstreamStatus >= 500 ? 'server_error' : 'invalid_request_error';
  let code: string | null = null;
  let param: string | null = null;
  let message = `provider answered HTTP ${upstreamStatus}`;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } };
    const error = parsed.error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string') message = error.message;
      if (typeof error.type === 'string') type = error.type;
      if (typeof error.code === 'string') code = error.code;
      if (typeof error.param === 'string') param = error.param;
    }
  } catch {
    // not JSON: keep the generic message
  }
  if (upstreamStatus === 429 && type === 'invalid_request_error') type = 'rate_limit_exceeded';
  return {
    status: clientStatusFor(upstreamStatus),
    upstreamStatus,
    type,
    code,
    param,
    message: message.replace(KEY_SHAPE, '[redacted]'),
    retryable: isRetryableStatus(upstreamStatus),
  };
}

/** A JSON object that is an OpenAI stream error event (`{"error": {...}}`), else undefined. */
export function streamErrorOf(payload: string): ProviderError | undefined {
  if (!payload.startsWith('{"error"')) return undefined;
  const error = openAiProviderError(502, payload);
  return { ...error, upstreamStatus: 0, status: 502, retryable: true };
}
