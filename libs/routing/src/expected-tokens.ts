import type { ExpectedTokens } from './policy-strategies';

/** Bytes per token of a request body: JSON framing makes it err high, which cost ordering can take. */
const BYTES_PER_TOKEN = 4;
/** Output assumed when the request sets no max_tokens: a typical chat answer. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 256;
/** Output counted at most, whatever the client asks: keeps costs finite (and fits RequestMeta's int32). */
const MAX_OUTPUT_TOKENS = 1_000_000;

/**
 * The output cap a parsed request asks for (max_completion_tokens, else max_tokens), bounded;
 * undefined when it names no usable one. Ingress reads it once and passes it in RequestMeta.
 */
export function requestedOutputCap(request: { readonly max_completion_tokens?: unknown; readonly max_tokens?: unknown }): number | undefined {
  for (const cap of [request.max_completion_tokens, request.max_tokens]) {
    if (typeof cap === 'number' && Number.isFinite(cap) && cap > 0) return Math.min(MAX_OUTPUT_TOKENS, Math.ceil(cap));
  }
  return undefined;
}

/** Tokens a request is expected to use, for the cost policy: input from its size, output from its cap. */
export function expectedTokensOf(bodyBytes: number, outputCap: number | undefined): ExpectedTokens {
  return { input: Math.ceil(bodyBytes / BYTES_PER_TOKEN), output: outputCap ?? DEFAULT_EXPECTED_OUTPUT_TOKENS };
}
