import { EndpointConfigError, geminiUrl } from './gemini-endpoint';

describe('geminiUrl', () => {
  it.each<[string, Parameters<typeof geminiUrl>, string]>([
    ['AI Studio chat', ['gemini', 'https://generativelanguage.googleapis.com/', 'gemini-2.5-flash', 'generateContent'], 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent'],
    ['AI Studio stream (SSE)', ['gemini', '', 'models/gemini-2.0-flash', 'streamGenerateContent'], 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse'],
    ['AI Studio embeddings', ['gemini', 'http://127.0.0.1:9', 'gemini-embedding-001', 'batchEmbedContents'], 'http://127.0.0.1:9/v1beta/models/gemini-embedding-001:batchEmbedContents'],
    ['Vertex global', ['vertex', 'https://aiplatform.googleapis.com', 'gemini-2.5-pro', 'generateContent', { project: 'my-project', location: 'global' }], 'https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/google/models/gemini-2.5-pro:generateContent'],
    ['Vertex regional from the global base URL', ['vertex', 'https://aiplatform.googleapis.com/', 'gemini-2.5-pro', 'streamGenerateContent', { project: 'my-project', location: 'europe-west4' }], 'https://europe-west4-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse'],
    ['Vertex multi-region', ['vertex', '', 'gemini-2.5-flash', 'generateContent', { project: 'my-project', location: 'eu' }], 'https://aiplatform.eu.rep.googleapis.com/v1/projects/my-project/locations/eu/publishers/google/models/gemini-2.5-flash:generateContent'],
    ['Vertex behind its own base URL', ['vertex', 'http://127.0.0.1:9', 'text-embedding-005', 'predict', { project: 'my-project', location: 'us-central1' }], 'http://127.0.0.1:9/v1/projects/my-project/locations/us-central1/publishers/google/models/text-embedding-005:predict'],
  ])('%s', (_case, args, url) => {
    expect(geminiUrl(...args)).toBe(url);
  });

  it.each<[string, Parameters<typeof geminiUrl>]>([
    ['a model id with a path in it', ['gemini', '', '../../admin', 'generateContent']],
    ['a Vertex provider without project', ['vertex', '', 'gemini-2.5-pro', 'generateContent', { location: 'global' }]],
    ['a location with a slash', ['vertex', '', 'gemini-2.5-pro', 'generateContent', { project: 'my-project', location: 'us/../x' }]],
  ])('refuses %s', (_case, args) => {
    expect(() => geminiUrl(...args)).toThrow(EndpointConfigError);
  });
});
