import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/fixtures';
import { MAX_EMBEDDING_INPUTS, toEmbeddingsPlan, toOpenAiEmbeddings, UnreadableEmbeddingsResponse } from './bedrock-embeddings';

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-english-v3';

describe('toEmbeddingsPlan', () => {
  it.each<[string, string, Record<string, unknown>, object]>([
    ['Titan: one body per text, dimensions passed on', TITAN, { input: ['a', 'b'], dimensions: 256 }, { family: 'titan', bodies: ['{"inputText":"a","dimensions":256}', '{"inputText":"b","dimensions":256}'], base64: false }],
    ['Titan: a single string', TITAN, { input: 'hello', encoding_format: 'base64' }, { family: 'titan', bodies: ['{"inputText":"hello"}'], base64: true }],
    ['Cohere: one body for the batch', COHERE, { input: ['a', 'b'] }, { family: 'cohere', bodies: ['{"texts":["a","b"],"input_type":"search_document"}'] }],
    ['a cross-region profile id', `us.${COHERE}`, { input: 'x' }, { family: 'cohere' }],
  ])('plans %s', (_name, model, request, expected) => {
    expect(toEmbeddingsPlan(request, model)).toMatchObject(expected);
  });

  it.each<[string, string, unknown, string]>([
    ['a chat model', 'anthropic.claude-3-5-sonnet-20241022-v2:0', { input: 'x' }, 'model'],
    ['token arrays', TITAN, { input: [[1, 2, 3]] }, 'input'],
    ['an empty list', TITAN, { input: [] }, 'input'],
    ['an empty text', TITAN, { input: ['a', ''] }, 'input'],
    ['too many texts', TITAN, { input: Array.from({ length: MAX_EMBEDDING_INPUTS + 1 }, () => 'x') }, 'input'],
    ['dimensions for a model without them', COHERE, { input: 'x', dimensions: 256 }, 'dimensions'],
    ['an unknown encoding_format', TITAN, { input: 'x', encoding_format: 'int8' }, 'encoding_format'],
    ['a body that is not an object', TITAN, [1], 'body'],
  ])('refuses %s with a 400 naming the parameter', (_name, model, request, param) => {
    const error = thrownBy(() => toEmbeddingsPlan(request, model));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, param });
  });
});

describe('toOpenAiEmbeddings', () => {
  it('maps Titan answers in order, with the header token counts as usage', () => {
    const plan = toEmbeddingsPlan({ input: ['a', 'b'] }, TITAN);
    const result = toOpenAiEmbeddings(plan, [{ body: { embedding: [0.5, -1], inputTextTokenCount: 9 }, inputTokens: 3 }, { body: { embedding: [0.25, 2], inputTextTokenCount: 4 }, inputTokens: undefined }], TITAN);
    expect(result.body).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [0.25, 2] },
      ],
      model: TITAN,
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(result.usage).toEqual({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
  });

  it('encodes vectors as little-endian float32 base64 when asked (the openai SDK default)', () => {
    const plan = toEmbeddingsPlan({ input: ['a'], encoding_format: 'base64' }, COHERE);
    const result = toOpenAiEmbeddings(plan, [{ body: { embeddings: { float: [[0.5, -2]] } }, inputTokens: 1 }], COHERE);
    const encoded = (result.body as { data: Array<{ embedding: string }> }).data[0].embedding;
    const bytes = Buffer.from(encoded, 'base64');
    expect([bytes.length, bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([8, 0.5, -2]);
  });

  it.each<[string, string, unknown[]]>([
    ['a Titan answer without an embedding', TITAN, [{ message: 'x' }]],
    ['a Cohere answer with fewer vectors than texts', COHERE, [{ embeddings: [] }]],
  ])('refuses %s as unreadable', (_name, model, bodies) => {
    const plan = toEmbeddingsPlan({ input: 'x' }, model);
    expect(thrownBy(() => toOpenAiEmbeddings(plan, bodies.map((body) => ({ body, inputTokens: 1 })), model))).toBeInstanceOf(UnreadableEmbeddingsResponse);
  });
});
