import { randomUUID } from 'node:crypto';
import { RpcException } from '@nestjs/microservices';
import {
  providerAnswerGrpcError,
  providerRetryAfterMs,
  readLimited,
  type UpstreamClient,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import type { BedrockAttempt } from './bedrock-attempt';
import { bedrockHttpError } from './bedrock-errors';
import { bedrockModelPath } from './bedrock-endpoint';
import { authorizedHeaders } from './bedrock-request-signer';
import type { BedrockOperation } from './bedrock.types';

const ACCEPT: Readonly<Record<BedrockOperation, string>> = {
  converse: 'application/json',
  'converse-stream': 'application/vnd.amazon.eventstream',
  invoke: 'application/json',
};

/**
 * POSTs a signed request to `/model/{modelId}/{operation}` and resolves at a 2xx answer's
 * headers; an error answer becomes the provider's error (scrubbed, cut) as an RpcException.
 */
export async function postToBedrock(
  upstream: UpstreamClient,
  state: BedrockAttempt,
  operation: BedrockOperation,
  body: string,
): Promise<UpstreamResponse> {
  const { target, endpoint, attempt } = state;
  const url = new URL(`${endpoint.baseUrl}${bedrockModelPath(target.model, operation)}`);
  const headers = await authorizedHeaders({ url, headers: { 'content-type': 'application/json', accept: ACCEPT[operation] }, body }, state.credentials, endpoint.region);
  const response = await upstream.post(url.toString(), headers, body, attempt.limits, attempt.signal);
  if (response.status >= 200 && response.status < 300) return response;
  const text = await readLimited(response);
  const flat = flatHeaders(response.headers);
  const error = bedrockHttpError(response.status, text, flat);
  throw new RpcException(
    providerAnswerGrpcError(target.providerId, error, state.scrub, {
      headers: rateLimitHeaders(flat),
      retryAfterMs: providerRetryAfterMs(flat),
    }),
  );
}

/** Bedrock sends no x-ratelimit-* headers; a Retry-After (from a proxy or a future version) passes on. */
export function rateLimitHeaders(headers: Record<string, string>): Record<string, string> {
  return headers['retry-after'] !== undefined ? { 'retry-after': headers['retry-after'] } : {};
}

/** The answer's request id (`x-amzn-requestid`), checked: it becomes the completion id; a fresh one when it is missing or odd. */
export function requestIdOf(headers: Record<string, string>): string {
  const id = headers['x-amzn-requestid'] ?? '';
  return /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : randomUUID();
}

/** Upstream (undici) headers as one lowercase string per name; repeated values are joined with ", ". */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
