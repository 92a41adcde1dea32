import { randomBytes } from 'node:crypto';
import type { ToolCall } from '@ai-gateway/openai-api';
import type { GeminiGenerateContentResponse, GeminiPart } from './gemini.types';
import { toolCallId } from './gemini-tool-call-id';

export interface CandidateContent {
  /** Answer text; thought summaries (`thought: true`) are not answer text and are left out. */
  text: string;
  toolCalls: ToolCall[];
}

/**
 * The answer parts of the first candidate. `firstCallPosition` counts the function calls already
 * seen in this answer (a stream's earlier chunks), so every call gets its own stable id.
 */
export function readCandidateParts(parts: readonly GeminiPart[], responseId: string | undefined, firstCallPosition: number): CandidateContent {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    if (typeof part !== 'object' || part === null) throw new TypeError('a part is not an object');
    if (part.functionCall) {
      const { name, args, id } = part.functionCall;
      if (typeof name !== 'string') throw new TypeError('a function call without a name');
      toolCalls.push({
        id: toolCallId(responseId, firstCallPosition + toolCalls.length, part.thoughtSignature, id),
        type: 'function',
        function: { name, arguments: JSON.stringify(args ?? {}) },
      });
    } else if (typeof part.text === 'string' && part.thought !== true) {
      text += part.text;
    }
  }
  return { text, toolCalls };
}

/** The first candidate's parts, or none (a blocked prompt has no candidate). */
export function firstCandidateParts(response: GeminiGenerateContentResponse): GeminiPart[] {
  const parts = response.candidates?.[0]?.content?.parts;
  return Array.isArray(parts) ? parts : [];
}

/** Whether the shape is a generateContent answer at all (an object; candidates, if any, an array). */
export function isGenerateContentResponse(body: unknown): body is GeminiGenerateContentResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const candidates = (body as { candidates?: unknown }).candidates;
  return candidates === undefined || (Array.isArray(candidates) && candidates.every((c) => typeof c === 'object' && c !== null));
}

/** The OpenAI completion id: Gemini's responseId (traceable in Google's logs), else random. */
export function completionId(responseId: string | undefined): string {
  return `chatcmpl-${typeof responseId === 'string' && responseId !== '' ? responseId : randomBytes(12).toString('base64url')}`;
}
