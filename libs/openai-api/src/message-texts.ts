import { OpenAiRequestError } from './openai-error';

/** A content part of a message that carries text only (system, developer, assistant, tool). */
export interface TextBearingPart {
  type: string;
  text?: unknown;
  refusal?: unknown;
}

/**
 * The texts of a system, developer, assistant or tool message's content, in order. A refusal part
 * (OpenAI allows one in an assistant turn of the history) reads as what the assistant said; any
 * other part is a 400 naming it, since these roles carry text only.
 */
export function messageTexts(content: string | readonly TextBearingPart[] | null | undefined, param: string): string[] {
  if (content == null) return [];
  if (typeof content === 'string') return [content];
  return content.map((part, j) => {
    if (part.type === 'text' && typeof part.text === 'string') return part.text;
    if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
    throw new OpenAiRequestError(
      `${param}[${j}] must be a text part (or, in an assistant turn, a refusal part) with its string.`,
      400,
      'invalid_request_error',
      `${param}[${j}]`,
      'invalid_parameter',
    );
  });
}
