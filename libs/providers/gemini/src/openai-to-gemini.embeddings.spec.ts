import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/fixtures';
import { fromBatchEmbedContents, fromVertexPredict, MAX_EMBEDDING_INPUTS, readEmbeddingsRequest, toBatchEmbedContentsRequest, toVertexPredictRequest } from './openai-to-gemini.embeddings';

describe('embeddings translation', () => {
  it('asks batchEmbedContents for each input and answers an OpenAI list', () => {
    const input = readEmbeddingsRequest({ model: 'x', input: ['a', 'b'], dimensions: 3 });
    expect(toBatchEmbedContentsRequest(input, 'gemini-embedding-001')).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] }, outputDimensionality: 3 },
      ],
    });
    const list = fromBatchEmbedContents({ embeddings: [{ values: [0.1, 0.2, 0.3] }, { values: [0.4, 0.5, 0.6] }] }, input, 'gemini-embedding-001');
    expect(list).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] },
        { object: 'embedding', index: 1, embedding: [0.4, 0.5, 0.6] },
      ],
      model: 'gemini-embedding-001',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it("encodes base64 as OpenAI does (little-endian float32), the official SDK's default", () => {
    const input = readEmbeddingsRequest({ input: 'a', encoding_format: 'base64' });
    const encoded = fromBatchEmbedContents({ embeddings: [{ values: [0.5, -2] }] }, input, 'm').data[0].embedding as string;
    const bytes = Buffer.from(encoded, 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([0.5, -2]);
  });

  it('asks Vertex predict and sums its token counts', () => {
    const input = readEmbeddingsRequest({ input: ['a', 'b'] });
    expect(toVertexPredictRequest(input, 'text-embedding-005')).toEqual({ instances: [{ content: 'a' }, { content: 'b' }] });
    expect(thrownBy(() => toVertexPredictRequest(input, 'gemini-embedding-001'))).toMatchObject({ status: 400, param: 'input' });
    const list = fromVertexPredict({ predictions: [{ embeddings: { values: [1], statistics: { token_count: 2 } } }, { embeddings: { values: [2], statistics: { token_count: 3 } } }] }, input, 'text-embedding-005');
    expect(list.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });

  it.each<[string, unknown, string]>([
    ['token ids', { input: [[1, 2, 3]] }, 'input'],
    ['an empty list', { input: [] }, 'input'],
    ['too many inputs', { input: Array.from({ length: MAX_EMBEDDING_INPUTS + 1 }, () => 'x') }, 'input'],
    ['zero dimensions', { input: 'x', dimensions: 0 }, 'dimensions'],
    ['an unknown encoding', { input: 'x', encoding_format: 'int8' }, 'encoding_format'],
  ])('refuses %s naming the field', (_case, body, param) => {
    const error = thrownBy(() => readEmbeddingsRequest(body));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, param });
  });

  it('refuses an answer with fewer embeddings than inputs', () => {
    const input = readEmbeddingsRequest({ input: ['a', 'b'] });
    expect(() => fromBatchEmbedContents({ embeddings: [{ values: [1] }] }, input, 'm')).toThrow(TypeError);
  });
});
