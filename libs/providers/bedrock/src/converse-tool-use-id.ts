import { createHash } from 'node:crypto';

/** What Converse takes as a toolUseId (ToolUseBlock, ToolResultBlock): 1 to 64 of these characters. */
const CONVERSE_TOOL_USE_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A tool call id of the history as Converse takes it. An id Converse would refuse (another
 * provider's: Gemini's carry a thought signature, hundreds of characters long) maps to a stable
 * one, the same for the call and for its result, so the two still pair.
 */
export function converseToolUseId(id: string): string {
  if (CONVERSE_TOOL_USE_ID.test(id)) return id;
  return `tooluse_${createHash('sha256').update(id).digest('base64url')}`;
}
