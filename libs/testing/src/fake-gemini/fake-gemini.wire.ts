import { randomBytes } from 'node:crypto';

/** A responseId shaped like Gemini's (22 base64url characters). */
export function responseId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** A thought signature: opaque base64 bytes, as Gemini 3 puts on a function call. */
export function thoughtSignature(): string {
  return randomBytes(48).toString('base64');
}

const STATUS_NAME: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** google.rpc.Status as the REST API writes it: {"error":{code, message, status, details?}}. */
export function errorBody(code: number, message: string, details?: object[]): string {
  return JSON.stringify({ error: { code, message, status: STATUS_NAME[code] ?? 'UNKNOWN', ...(details ? { details } : {}) } }, null, 2);
}

export function apiKeyInvalidBody(): string {
  return errorBody(400, 'API key not valid. Please pass a valid API key.', [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
  ]);
}

export function rateLimitBody(model: string, retryDelaySeconds: number): string {
  return errorBody(429, `You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: ${model}\nPlease retry in ${retryDelaySeconds}s.`, [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model }, quotaValue: '10' }],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelaySeconds}s` },
  ]);
}

export function dailyQuotaBody(model: string): string {
  return errorBody(429, `You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 20, model: ${model}`, [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model }, quotaValue: '20' }],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '36s' },
  ]);
}

/** One SSE event the way `alt=sse` writes it: a `data:` line and a blank line, no event name. */
export function sseData(data: object): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}
