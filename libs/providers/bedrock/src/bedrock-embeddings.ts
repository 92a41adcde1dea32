import type { CompletionUsage } from '@ai-gateway/openai-api';
import { invalidParameter } from './invalid-parameter';

/**
 * Titan embeds one text per InvokeModel call, so a batch is that many calls; this bounds what
 * one client request can fan out to (Cohere takes up to 96 texts in one call).
 */
export const MAX_EMBEDDING_INPUTS = 96;

/** Bedrock's embedding model families, by their InvokeModel body. */
export type EmbeddingFamily = 'titan' | 'cohere';

export interface EmbeddingsPlan {
  family: EmbeddingFamily;
  texts: string[];
  /** The InvokeModel bodies to send, in order (Titan: one per text; Cohere: one). */
  bodies: string[];
  base64: boolean;
}

/** What InvokeModel answered for one body, with the token count from its headers (`x-amzn-bedrock-input-token-count`). */
export interface InvokeAnswer {
  body: unknown;
  inputTokens: number | undefined;
}

/** The answer is not what the model family sends: the adapter reports it as malformed. */
export class UnreadableEmbeddingsResponse extends Error {}

/** The Bedrock family of an embedding model id (a cross-region prefix like `us.` is allowed). */
export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  if (/(^|\.)amazon\.titan-embed/.test(modelId)) return 'titan';
  if (/(^|\.)cohere\.embed/.test(modelId)) return 'cohere';
  return undefined;
}

/** OpenAI's embeddings request as InvokeModel bodies; throws OpenAiRequestError (400) for what Bedrock cannot take. */
export function toEmbeddingsPlan(request: unknown, modelId: string): EmbeddingsPlan {
  const family = embeddingFamily(modelId);
  if (!family) throw invalidParameter('model', 'This Bedrock model has no embeddings: use an Amazon Titan or Cohere embedding model.');
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw invalidParameter('body', 'body must be a JSON object.');
  const { input, encoding_format: encodingFormat, dimensions } = request as Record<string, unknown>;
  const texts = inputTexts(input);
  if (encodingFormat != null && encodingFormat !== 'float' && encodingFormat !== 'base64') {
    throw invalidParameter('encoding_format', "encoding_format must be 'float' or 'base64'.");
  }
  if (dimensions != null && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) {
    throw invalidParameter('dimensions', 'dimensions must be a positive integer.');
  }
  if (dimensions != null && !/titan-embed-text-v2/.test(modelId)) {
    throw invalidParameter('dimensions', 'dimensions is supported by Amazon Titan Text Embeddings V2 only.');
  }
  const bodies =
    family === 'titan'
      ? texts.map((inputText) => JSON.stringify({ inputText, ...(dimensions != null ? { dimensions } : {}) }))
      : [JSON.stringify({ texts, input_type: 'search_document' })];
  return { family, texts, bodies, base64: encodingFormat === 'base64' };
}

/** The InvokeModel answers as OpenAI's embeddings response. */
export function toOpenAiEmbeddings(plan: EmbeddingsPlan, answers: InvokeAnswer[], model: string): { body: object; usage: CompletionUsage } {
  const vectors = plan.family === 'titan' ? answers.map(titanVector) : cohereVectors(answers[0], plan.texts.length);
  const promptTokens = answers.reduce((sum, answer) => sum + (answer.inputTokens ?? titanTokenCount(answer)), 0);
  const usage: CompletionUsage = { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens };
  return {
    body: {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: plan.base64 ? toBase64(vector) : vector })),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    usage,
  };
}

function inputTexts(input: unknown): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    throw invalidParameter('input', 'input must be a string or a non-empty array of strings (token arrays are not supported by Bedrock models).');
  }
  if (texts.length > MAX_EMBEDDING_INPUTS) throw invalidParameter('input', `input may hold at most ${MAX_EMBEDDING_INPUTS} texts for a Bedrock model.`);
  if (texts.some((text) => text === '')) throw invalidParameter('input', 'input texts must not be empty.');
  return texts as string[];
}

function titanVector(answer: InvokeAnswer): number[] {
  const embedding = (answer.body as { embedding?: unknown } | null)?.embedding;
  if (!isVector(embedding)) throw new UnreadableEmbeddingsResponse('a Titan answer without an embedding');
  return embedding;
}

function titanTokenCount(answer: InvokeAnswer): number {
  const count = (answer.body as { inputTextTokenCount?: unknown } | null)?.inputTextTokenCount;
  return typeof count === 'number' && Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

/** Cohere answers `embeddings: number[][]`, or `embeddings: {float: number[][]}` when types were asked for. */
function cohereVectors(answer: InvokeAnswer | undefined, expected: number): number[][] {
  const embeddings = (answer?.body as { embeddings?: unknown } | null)?.embeddings;
  const vectors = Array.isArray(embeddings) ? embeddings : (embeddings as { float?: unknown } | null)?.float;
  if (!Array.isArray(vectors) || vectors.length !== expected || !vectors.every(isVector)) {
    throw new UnreadableEmbeddingsResponse('a Cohere answer without one embedding per text');
  }
  return vectors as number[][];
}

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}

/** OpenAI's base64 form: the vector as little-endian float32 bytes. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}
