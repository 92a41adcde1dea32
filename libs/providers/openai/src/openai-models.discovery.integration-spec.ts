import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeOpenAi, type FakeOpenAi } from '@ai-gateway/testing';
import { discoverOpenAiCompatibleModels, MAX_MODEL_LIST_BYTES } from './openai-models.discovery';

const KEY = 'sk-local-discovery-0123456789abcdef';

describe('discoverOpenAiCompatibleModels over HTTP', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ validKeys: [KEY], models: ['llama-3.1-8b', 'qwen2.5-7b'] });
  });
  afterAll(() => fake.close());

  it('lists the models of the server with the key and the extra headers', async () => {
    const found = await discoverOpenAiCompatibleModels({ baseUrl: fake.baseUrl, apiKey: KEY, headers: { 'X-Team': 'ml' } });
    expect(found).toEqual({ models: ['llama-3.1-8b', 'qwen2.5-7b'], truncated: false });
    const sent = fake.requests[fake.requests.length - 1];
    expect(sent).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(sent.headers['x-team']).toBe('ml');
  });

  it('reports a refused key without quoting it', async () => {
    const error = await discoverOpenAiCompatibleModels({ baseUrl: fake.baseUrl, apiKey: 'sk-wrong-key-0123456789abcdef' }).catch((e: Error) => e);
    expect((error as Error).message).toBe('the server answered HTTP 401 to GET /models');
  });

  it('reports an unreachable server, and refuses an oversized answer', async () => {
    await expect(discoverOpenAiCompatibleModels({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: '' })).rejects.toThrow(/could not be asked/);
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"data":[${'{"id":"m"},'.repeat(MAX_MODEL_LIST_BYTES / 10)}{"id":"m"}]}`);
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const { port } = big.address() as AddressInfo;
    await expect(discoverOpenAiCompatibleModels({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: '' })).rejects.toThrow(/larger than/);
    await new Promise<void>((resolve) => big.close(() => resolve()));
  });
});
