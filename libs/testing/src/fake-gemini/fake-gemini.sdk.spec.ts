// The fake Gemini API checked against Google's official SDK (@google/genai): pointed at the fake,
// the SDK must parse every answer the fake emits — text, streams, function calls with thought
// signatures, tools declared by JSON Schema, embeddings, every error kind and an error inside a stream.
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type, type Content } from '@google/genai';
import { FAKE_GEMINI_API_KEY, startFakeGemini, type FakeGemini, type FakeGeminiScenario } from './index';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};
/**
 * The SDK's own fetch: without it, the SDK installs a dispatcher that reads undici's global from
 * `globalThis`, which jest's sandboxed global does not carry.
 */
const httpOptions = (baseUrl: string): object => ({ baseUrl, apiVersion: 'v1beta', retryOptions: { attempts: 1 }, fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init) });
const TIME = { name: 'get_time', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } } } };

describe('the fake Gemini API through @google/genai', () => {
  let fake: FakeGemini;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    fake = await startFakeGemini();
    ai = new GoogleGenAI({ apiKey: FAKE_GEMINI_API_KEY, httpOptions: httpOptions(fake.url) });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('answers text the SDK reads, usage included', async () => {
    const response = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello there', config: { systemInstruction: 'Be brief.' } });
    expect(response.text).toContain('You said: Hello there');
    expect(response.candidates?.[0].finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(response.responseId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const seen = fake.requests[fake.requests.length - 1];
    expect(seen.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(seen.headers['x-goog-api-key']).toBe(FAKE_GEMINI_API_KEY);
  });

  it('streams SSE the SDK assembles into the same text', async () => {
    fake.setScenario({ kind: 'text', text: 'One two three four five.' }, 1);
    const pieces: string[] = [];
    let finishReason: string | undefined;
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Count' })) {
      pieces.push(chunk.text ?? '');
      finishReason = chunk.candidates?.[0].finishReason ?? finishReason;
    }
    expect(pieces.join('')).toBe('One two three four five.');
    expect(pieces.length).toBeGreaterThan(1);
    expect(finishReason).toBe('STOP');
    expect(fake.requests[fake.requests.length - 1].path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
  });

  it('returns signed function calls a thinking model requires back, and accepts the round trip', async () => {
    const config = { tools: [{ functionDeclarations: [WEATHER, TIME] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } };
    const contents: Content[] = [{ role: 'user', parts: [{ text: 'Weather and time in Paris?' }] }];
    const asked = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents, config });
    const calls = asked.functionCalls ?? [];
    expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_time']);
    const modelTurn = asked.candidates?.[0].content as Content;
    expect(modelTurn.parts?.[0].thoughtSignature).toEqual(expect.any(String));

    const responses = calls.map((call) => ({ functionResponse: { name: call.name, response: { result: `${call.name} ok` } } }));
    const answered = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: [...contents, modelTurn, { role: 'user', parts: responses }], config: { tools: config.tools } });
    expect(answered.text).toContain('get_time ok');

    const unsigned = { role: 'model', parts: (modelTurn.parts ?? []).map(({ functionCall }) => ({ functionCall })) };
    const refused = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: [...contents, unsigned, { role: 'user', parts: responses }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(400);
    expect((refused as ApiError).message).toContain('thought_signature');
  });

  it('streams a function call whole, in one event', async () => {
    const calls = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Weather?', config: { tools: [{ functionDeclarations: [WEATHER] }] } })) {
      calls.push(...(chunk.functionCalls ?? []));
    }
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'example city' } }]);
  });

  it('calls a tool declared by parametersJsonSchema (a free-form map) as it calls one declared by parameters', async () => {
    const fetchTool = {
      name: 'fetch_url',
      parametersJsonSchema: {
        type: 'object',
        properties: { url: { type: 'string' }, retries: { type: 'integer' }, headers: { type: 'object', additionalProperties: { type: 'string' } } },
        required: ['url'],
        additionalProperties: false,
      },
    };
    const config = { tools: [{ functionDeclarations: [fetchTool] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } };
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Fetch example.com', config });
    expect(response.functionCalls).toEqual([{ name: 'fetch_url', args: { url: 'example url', retries: 1, headers: {} } }]);
    const sent = fake.requests[fake.requests.length - 1].body as { tools: Array<{ functionDeclarations: object[] }> };
    expect(sent.tools[0].functionDeclarations[0]).toEqual(fetchTool);

    const both = { ...fetchTool, parameters: WEATHER.parameters };
    const refused = (await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Fetch', config: { tools: [{ functionDeclarations: [both] }] } }).catch((e: unknown) => e)) as ApiError;
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('mutually exclusive');
  });

  it('accepts JSON output constrained by responseJsonSchema, and refuses it without responseMimeType', async () => {
    const responseJsonSchema = { type: 'object', additionalProperties: { type: 'number' } };
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Scores?', config: { responseMimeType: 'application/json', responseJsonSchema } });
    expect(response.candidates?.[0].finishReason).toBe('STOP');
    expect((fake.requests[fake.requests.length - 1].body as { generationConfig: object }).generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema });
    const refused = (await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Scores?', config: { responseJsonSchema } }).catch((e: unknown) => e)) as ApiError;
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('response_mime_type is required');
  });

  it('answers embeddings the SDK reads', async () => {
    const response = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['first', 'second'] });
    expect(response.embeddings?.map((embedding) => embedding.values?.length)).toEqual([8, 8]);
  });

  it.each<[string, FakeGeminiScenario, number, RegExp]>([
    ['a per-minute 429 with RetryInfo', { kind: 'http_error', error: 'rate_limit', retryDelaySeconds: 3 }, 429, /RetryInfo.*"retryDelay":"3s"/],
    ['a daily-quota 429', { kind: 'http_error', error: 'daily_quota' }, 429, /PerDay/],
    ['a 503', { kind: 'http_error', error: 'unavailable' }, 503, /UNAVAILABLE/],
    ['a 500', { kind: 'http_error', error: 'internal' }, 500, /INTERNAL/],
  ])('answers %s the SDK raises as ApiError', async (_case, scenario, status, message) => {
    fake.setScenario(scenario, 1);
    const error = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(status);
    expect((error as ApiError).message).toMatch(message);
  });

  it('refuses a wrong key as Gemini does (400 API_KEY_INVALID)', async () => {
    const wrong = new GoogleGenAI({ apiKey: 'AIzaWrongKey', httpOptions: httpOptions(fake.url) });
    const error = (await wrong.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.message).toContain('API_KEY_INVALID');
  });

  it('raises an error event inside a stream after the text before it', async () => {
    fake.setScenario({ kind: 'stream_error_event', code: 503, afterEvents: 2 }, 1);
    const pieces: string[] = [];
    const failure = await (async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Tell a story' })) pieces.push(chunk.text ?? '');
    })().catch((e: unknown) => e);
    expect(pieces.length).toBe(2);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(503);
  });

  it('ends a cut stream with an error the SDK raises, not a clean end', async () => {
    fake.setScenario({ kind: 'stream_cut', afterEvents: 1 }, 1);
    const failure = await (async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Tell a story' })) void chunk;
    })().catch((e: unknown) => e);
    // undici's TypeError ("terminated") comes from the host realm, outside jest's sandbox.
    expect((failure as Error | undefined)?.name).toBe('TypeError');
  });

  it('reads a blocked prompt as promptFeedback without candidates', async () => {
    fake.setScenario({ kind: 'blocked' }, 1);
    const response = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'something bad' });
    expect(response.promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
    expect(response.candidates).toBeUndefined();
  });
});
