import { createHash } from 'node:crypto';

// InvokeModel answers of Bedrock's embedding models: Amazon Titan Text Embeddings
// (`{inputText, dimensions?}` → `{embedding, inputTextTokenCount}`) and Cohere Embed
// (`{texts, input_type}` → `{id, embeddings, response_type, texts}`).

const DIMENSIONS = 8;

type Answer = { ok: true; body: object; inputTokens: number } | { ok: false; status: number; errorType: string; message: string };

/** A deterministic unit-ish vector per text, so tests can compare what the gateway relays. */
export function fakeEmbedding(text: string, dimensions = DIMENSIONS): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: dimensions }, (_, i) => Math.round(((digest[i % digest.length] - 128) / 128) * 1e6) / 1e6);
}

export function fakeTokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function embeddingAnswer(modelId: string, body: unknown): Answer {
  const request = (body ?? {}) as Record<string, unknown>;
  if (/amazon\.titan-embed/.test(modelId)) {
    if (typeof request.inputText !== 'string' || request.inputText === '') return invalid('inputText must be a non-empty string');
    const dimensions = typeof request.dimensions === 'number' ? request.dimensions : DIMENSIONS;
    const inputTokens = fakeTokenCount(request.inputText);
    return { ok: true, body: { embedding: fakeEmbedding(request.inputText, dimensions), inputTextTokenCount: inputTokens }, inputTokens };
  }
  if (/cohere\.embed/.test(modelId)) {
    const texts = request.texts;
    if (!Array.isArray(texts) || texts.length === 0 || texts.length > 96 || !texts.every((t) => typeof t === 'string')) return invalid('texts must hold 1 to 96 strings');
    if (typeof request.input_type !== 'string') return invalid('input_type is required');
    const inputTokens = (texts as string[]).reduce((sum, text) => sum + fakeTokenCount(text), 0);
    return {
      ok: true,
      body: { id: createHash('sha1').update(texts.join('\n')).digest('hex'), embeddings: (texts as string[]).map((text) => fakeEmbedding(text)), response_type: 'embeddings_floats', texts },
      inputTokens,
    };
  }
  return { ok: false, status: 400, errorType: 'ValidationException', message: 'The provided model does not support embeddings.' };
}

function invalid(message: string): Answer {
  return { ok: false, status: 400, errorType: 'ValidationException', message: `Malformed input request: ${message}, please reformat your input and try again.` };
}
