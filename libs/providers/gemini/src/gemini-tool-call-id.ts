import { createHash, randomBytes } from 'node:crypto';

// OpenAI tool calls carry an id the client sends back (assistant tool_calls, tool_call_id);
// Gemini function calls carry no id but may carry a thoughtSignature that Gemini 3 requires
// back with the call on the next turn. The gateway keeps no conversation state (any router
// replica may serve the next turn), so the signature rides inside the id:
//   call_<24 chars>                      a call without a signature
//   call_<24 chars>__thought__<base64url> a call with one (the same bytes, URL-safe alphabet, so
//                                        the id stays within [A-Za-z0-9_-] as Anthropic's ids must)
// The base is derived from the response id and the call's position, so the same answer always
// gets the same ids (a unary answer and its stream alike) and two calls never share one.

export const THOUGHT_SIGNATURE_SEPARATOR = '__thought__';
const BASE_LENGTH = 24;

/**
 * The OpenAI id of the `position`-th function call of an answer. `providerId` (a functionCall.id
 * Gemini sent) wins over the synthesised base; `responseId` absent, the base is random.
 */
export function toolCallId(responseId: string | undefined, position: number, signature?: string, providerId?: string): string {
  const base = providerId && /^[A-Za-z0-9_-]{1,64}$/.test(providerId) ? providerId : `call_${synthesisedBase(responseId, position)}`;
  if (!signature) return base;
  return `${base}${THOUGHT_SIGNATURE_SEPARATOR}${Buffer.from(signature, 'base64').toString('base64url')}`;
}

/** The thought signature (standard base64, as Gemini sent it) an id carries, if any. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(THOUGHT_SIGNATURE_SEPARATOR);
  if (at < 0) return undefined;
  const encoded = id.slice(at + THOUGHT_SIGNATURE_SEPARATOR.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64url').toString('base64');
}

function synthesisedBase(responseId: string | undefined, position: number): string {
  if (!responseId) return randomBytes(BASE_LENGTH).toString('base64url').slice(0, BASE_LENGTH);
  return createHash('sha256').update(`${responseId}:${position}`).digest('base64url').slice(0, BASE_LENGTH);
}
