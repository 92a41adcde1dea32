import type { GeminiPart } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

/** Document types Gemini reads inline (ai.google.dev/gemini-api/docs/document-processing). */
const INLINE_DOCUMENT_TYPES = ['application/pdf', 'text/plain'];
const DATA_URI = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;

/**
 * An OpenAI `file` content part (`{file: {file_data: "data:application/pdf;base64,…", filename}}`)
 * as inline data. A `file_id` names a file in OpenAI's own Files API, which Gemini cannot read.
 */
export function toGeminiFilePart(file: unknown, param: string): GeminiPart {
  const { file_data: data, file_id: id } = (typeof file === 'object' && file !== null ? file : {}) as { file_data?: unknown; file_id?: unknown };
  if (typeof data !== 'string') {
    throw invalidParameter(`${param}.file`, id !== undefined ? "file_id names a file in OpenAI's Files API, which Gemini cannot read; send file_data instead." : 'file.file_data must be a base64 data: URI.');
  }
  const match = DATA_URI.exec(data);
  const mimeType = match?.[1].toLowerCase();
  if (!match || !mimeType || !match[2].split(';').includes('base64')) throw invalidParameter(`${param}.file.file_data`, 'file.file_data must be a base64 data: URI.');
  if (!INLINE_DOCUMENT_TYPES.includes(mimeType)) {
    throw invalidParameter(`${param}.file.file_data`, `File type '${mimeType.slice(0, 64)}' is not supported by Gemini; use one of ${INLINE_DOCUMENT_TYPES.join(', ')}.`);
  }
  return { inlineData: { mimeType, data: match[3] } };
}
