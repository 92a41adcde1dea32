import type { ExpectedTokens } from './policy-strategies';

/** Bytes per token of a request body: JSON framing makes it err high, which cost ordering can take. */
const BYTES_PER_TOKEN = 4;
/** Output assumed when the request sets no max_tokens: a typical chat answer. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 256;
/** Bodies above this are not parsed for max_tokens (the input estimate already dominates). */
const MAX_PARSED_BODY_BYTES = 1_000_000;
/** Output counted at most, whatever the client asks: keeps costs finite. */
const MAX_OUTPUT_TOKENS = 1_000_000;

/** Tokens a request is expected to use, for the cost policy: input from its size, output from its cap. */
export function expectedTokensOf(body: Uint8Array): ExpectedTokens {
  const input = Math.ceil(body.byteLength / BYTES_PER_TOKEN);
  return { input, output: outputCap(body) ?? DEFAULT_EXPECTED_OUTPUT_TOKENS };
}

function outputCap(body: Uint8Array): number | undefined {
  if (body.byteLength > MAX_PARSED_BODY_BYTES) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  for (const cap of [fields.max_completion_tokens, fields.max_tokens]) {
    if (typeof cap === 'number' && Number.isFinite(cap) && cap > 0) return Math.min(MAX_OUTPUT_TOKENS, Math.ceil(cap));
  }
  return undefined;
}
