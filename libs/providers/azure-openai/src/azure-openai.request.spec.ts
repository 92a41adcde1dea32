import { azureRequestHeaders, azureUpstreamRequest, type AzureRequestInput } from './azure-openai.request';

const raw = (value: object) => Buffer.from(JSON.stringify(value));
const text = (body: Uint8Array | string) => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));

const base: AzureRequestInput = {
  raw: raw({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  clientModel: 'gpt-4o',
  targetModel: 'prod-gpt4o',
  baseUrl: 'https://res.openai.azure.com/',
  settings: {},
  operation: 'chat/completions',
  stream: false,
  includeUsage: false,
};

describe('azureUpstreamRequest', () => {
  it('sends the client bytes untouched to the deployment on the dated surface (the path picks the model)', () => {
    const request = azureUpstreamRequest(base);
    expect(request.url).toBe('https://res.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21');
    expect(request.body).toBe(base.raw);
    expect(request.deployment).toBe('prod-gpt4o');
  });

  it('names the deployment as the model on the v1 surface', () => {
    const request = azureUpstreamRequest({ ...base, settings: { apiVersion: 'v1' } });
    expect(request.url).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
    expect(JSON.parse(text(request.body)).model).toBe('prod-gpt4o');
  });

  it('asks a stream for usage on the client\'s behalf', () => {
    const request = azureUpstreamRequest({ ...base, raw: raw({ model: 'gpt-4o', stream: true, messages: [] }), stream: true });
    expect(request.usageForced).toBe(true);
    expect(JSON.parse(text(request.body)).stream_options).toEqual({ include_usage: true });
  });

  it('sends embeddings to the deployment of the embedding model', () => {
    const request = azureUpstreamRequest({
      ...base,
      raw: raw({ model: 'text-embedding-3-small', input: 'hi' }),
      clientModel: 'text-embedding-3-small',
      targetModel: 'text-embedding-3-small',
      operation: 'embeddings',
      settings: { apiVersion: '2025-04-01-preview' },
    });
    expect(request.url).toBe('https://res.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2025-04-01-preview');
  });
});

describe('azureRequestHeaders', () => {
  it('sends the api-key, or the bearer token, and the provider\'s extra headers, which cannot replace either', () => {
    const settings = { headers: { 'X-Ms-Useragent': 'gateway', 'api-key': 'other', Authorization: 'Bearer other', bad: 'a\r\nb' } };
    expect(azureRequestHeaders({ apiKey: 'k' }, settings)).toEqual({ 'x-ms-useragent': 'gateway', 'content-type': 'application/json', accept: 'application/json', 'api-key': 'k' });
    expect(azureRequestHeaders({ bearerToken: 't' }, settings)).toEqual({
      'x-ms-useragent': 'gateway',
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer t',
    });
  });
});
