import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { GeminiBatchEmbedContentsResponse, GeminiEmbedContentRequest } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

// OpenAI /v1/embeddings ⇄ Gemini `:batchEmbedContents` (AI Studio) and Vertex `:predict`.
// Gemini reports no token counts for embeddings (AI Studio): usage is 0 there; Vertex reports
// each input's token_count, summed.

/** batchEmbedContents takes at most 100 requests (ai.google.dev/api/embeddings#method:-models.batchembedcontents). */
export const MAX_EMBEDDING_INPUTS = 100;

export interface OpenAiEmbeddingsRequest {
  model?: unknown;
  input?: unknown;
  dimensions?: unknown;
  encoding_format?: unknown;
}

export interface EmbeddingsInput {
  texts: string[];
  dimensions?: number;
  encoding: 'float' | 'base64';
}

export interface OpenAiEmbeddingsList {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: Pick<CompletionUsage, 'prompt_tokens' | 'total_tokens'>;
}

/** The texts and options of an OpenAI embeddings request; token-id inputs are refused (Gemini embeds text). */
export function readEmbeddingsRequest(body: unknown): EmbeddingsInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('body', 'body must be a JSON object.');
  const { input, dimensions, encoding_format: encoding } = body as OpenAiEmbeddingsRequest;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    throw invalidParameter('input', 'input must be a string or a non-empty array of strings (Gemini embeds text, not token ids).');
  }
  if (texts.length > MAX_EMBEDDING_INPUTS) throw invalidParameter('input', `Gemini embeds at most ${MAX_EMBEDDING_INPUTS} inputs per request.`);
  if (texts.some((text) => text === '')) throw invalidParameter('input', 'input must not contain empty strings.');
  if (dimensions != null && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) throw invalidParameter('dimensions', 'dimensions must be a positive integer.');
  if (encoding != null && encoding !== 'float' && encoding !== 'base64') throw invalidParameter('encoding_format', "encoding_format must be 'float' or 'base64'.");
  return { texts, ...(dimensions != null ? { dimensions: dimensions as number } : {}), encoding: encoding === 'base64' ? 'base64' : 'float' };
}

/** The AI Studio `:batchEmbedContents` body. */
export function toBatchEmbedContentsRequest(input: EmbeddingsInput, model: string): { requests: GeminiEmbedContentRequest[] } {
  return {
    requests: input.texts.map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(input.dimensions !== undefined ? { outputDimensionality: input.dimensions } : {}),
    })),
  };
}

/**
 * The Vertex `:predict` body for a text embedding model. Vertex's gemini-embedding models take
 * one input per request (cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings).
 */
export function toVertexPredictRequest(input: EmbeddingsInput, model: string): { instances: Array<{ content: string }>; parameters?: { outputDimensionality: number } } {
  if (input.texts.length > 1 && model.startsWith('gemini-embedding')) {
    throw invalidParameter('input', `Vertex AI embeds one input per request with ${model.slice(0, 64)}; send the inputs one by one.`);
  }
  return {
    instances: input.texts.map((content) => ({ content })),
    ...(input.dimensions !== undefined ? { parameters: { outputDimensionality: input.dimensions } } : {}),
  };
}

/** AI Studio's answer as an OpenAI embeddings list; throws on an answer that does not fit the request. */
export function fromBatchEmbedContents(body: unknown, input: EmbeddingsInput, model: string): OpenAiEmbeddingsList {
  const embeddings = (body as GeminiBatchEmbedContentsResponse | null)?.embeddings;
  if (!Array.isArray(embeddings)) throw new TypeError('not a batchEmbedContents answer');
  return embeddingsList(embeddings.map((embedding) => embedding?.values), input, model, 0);
}

/** Vertex's `:predict` answer as an OpenAI embeddings list. */
export function fromVertexPredict(body: unknown, input: EmbeddingsInput, model: string): OpenAiEmbeddingsList {
  const predictions = (body as { predictions?: Array<{ embeddings?: { values?: number[]; statistics?: { token_count?: number } } }> } | null)?.predictions;
  if (!Array.isArray(predictions)) throw new TypeError('not a predict answer');
  const tokens = predictions.reduce((sum, prediction) => sum + (Number(prediction?.embeddings?.statistics?.token_count) || 0), 0);
  return embeddingsList(predictions.map((prediction) => prediction?.embeddings?.values), input, model, tokens);
}

function embeddingsList(vectors: Array<number[] | undefined>, input: EmbeddingsInput, model: string, promptTokens: number): OpenAiEmbeddingsList {
  if (vectors.length !== input.texts.length) throw new TypeError(`${vectors.length} embeddings for ${input.texts.length} inputs`);
  return {
    object: 'list',
    data: vectors.map((values, index) => {
      if (!Array.isArray(values) || !values.every((value) => typeof value === 'number')) throw new TypeError('an embedding is not a list of numbers');
      return { object: 'embedding', index, embedding: input.encoding === 'base64' ? base64Floats(values) : values };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** OpenAI's base64 encoding: the vector as little-endian float32 bytes. */
function base64Floats(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}
