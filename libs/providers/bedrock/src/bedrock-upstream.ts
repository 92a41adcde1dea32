import { randomUUID } from 'node:crypto';
import type { ProviderAttempt, ProviderErrorReader, UpstreamClient, UpstreamResponse } from '@ai-gateway/provider-http';
import type { BedrockCall } from './bedrock-call';
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
 * headers; an error answer rejects as Bedrock's error (by `x-amzn-errortype`), scrubbed and cut.
 */
export async function postToBedrock(
  upstream: UpstreamClient,
  attempt: ProviderAttempt,
  call: BedrockCall,
  operation: BedrockOperation,
  body: string,
): Promise<UpstreamResponse> {
  const url = new URL(`${call.endpoint.baseUrl}${bedrockModelPath(attempt.target.model, operation)}`);
  const headers = await authorizedHeaders({ url, headers: { 'content-type': 'application/json', accept: ACCEPT[operation] }, body }, call.credentials, call.endpoint.region);
  return attempt.send(upstream, url.toString(), headers, body, bedrockError);
}

const bedrockError: ProviderErrorReader = (status, text, headers) => ({ error: bedrockHttpError(status, text, headers), headers: rateLimitHeaders(headers) });

/** Bedrock sends no x-ratelimit-* headers; a Retry-After (from a proxy or a future version) passes on. */
export function rateLimitHeaders(headers: Record<string, string>): Record<string, string> {
  return headers['retry-after'] !== undefined ? { 'retry-after': headers['retry-after'] } : {};
}

/** The answer's request id (`x-amzn-requestid`), checked: it becomes the completion id; a fresh one when it is missing or odd. */
export function requestIdOf(headers: Record<string, string>): string {
  const id = headers['x-amzn-requestid'] ?? '';
  return /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : randomUUID();
}
