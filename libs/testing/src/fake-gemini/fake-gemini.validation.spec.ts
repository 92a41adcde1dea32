import { SKIP_SIGNATURE, validateGenerateContent } from './fake-gemini.validation';

const user = (text: string) => ({ role: 'user', parts: [{ text }] });
const call = (name: string, thoughtSignature?: string) => ({ functionCall: { name, args: {} }, ...(thoughtSignature ? { thoughtSignature } : {}) });
const answer = (name: string) => ({ functionResponse: { name, response: { ok: true } } });
const MAP = { type: 'object', properties: { headers: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['headers'] };
const declaring = (declaration: object) => ({ contents: [user('x')], tools: [{ functionDeclarations: [{ name: 'f', ...declaration }] }] });
const configured = (generationConfig: object) => ({ contents: [user('x')], generationConfig });

describe('the fake Gemini API refuses what Gemini refuses', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['an unknown top-level field', { contents: [user('hi')], temperature: 1 }, 'gemini-2.0-flash', /Unknown name "temperature"/],
    ['no contents', { contents: [] }, 'gemini-2.0-flash', /contents is not specified/],
    ['a system role', { contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, 'gemini-2.0-flash', /valid role/],
    ['an empty text part', { contents: [user('')] }, 'gemini-2.0-flash', /empty text/],
    ['an OpenAI-style part', { contents: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] }, 'gemini-2.0-flash', /Unknown name "type"/],
    ['fewer responses than calls', { contents: [user('x'), { role: 'model', parts: [call('a'), call('b')] }, { role: 'user', parts: [answer('a')] }] }, 'gemini-2.0-flash', /number of function response parts/],
    ['a JSON-Schema keyword', { contents: [user('x')], tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, additionalProperties: false } }] }] }, 'gemini-2.0-flash', /Unknown name "additionalProperties"/],
    ['a lower-case type', { contents: [user('x')], tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'STRING' } } } }] }] }, 'gemini-2.0-flash', /Invalid value/],
    ['a Gemini 3 call replayed without its signature', { contents: [user('x'), { role: 'model', parts: [call('a')] }, { role: 'user', parts: [answer('a')] }] }, 'gemini-3-pro-preview', /missing a thought_signature/],
    ['a Gemini 3 call with a signature it never issued', { contents: [user('x'), { role: 'model', parts: [call('a', 'Zm9yZ2Vk')] }, { role: 'user', parts: [answer('a')] }] }, 'gemini-3-pro-preview', /Corrupted thought signature/],
    // FunctionDeclaration.parametersJsonSchema: "mutually exclusive with `parameters`"; GenerationConfig.responseJsonSchema:
    // "If set, `response_schema` must be omitted, but `response_mime_type` is required" (googleapis/js-genai genai.d.ts).
    ['parameters and parametersJsonSchema on one declaration', declaring({ parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } }, parametersJsonSchema: MAP }), 'gemini-2.5-flash', /mutually exclusive/],
    ['responseJsonSchema without responseMimeType', configured({ responseJsonSchema: MAP }), 'gemini-2.5-flash', /response_mime_type is required/],
    ['responseJsonSchema with responseSchema', configured({ responseMimeType: 'application/json', responseSchema: { type: 'STRING' }, responseJsonSchema: MAP }), 'gemini-2.5-flash', /mutually exclusive/],
    ['a keyword next to $ref', declaring({ parametersJsonSchema: { type: 'object', $defs: { A: { type: 'string' } }, properties: { a: { $ref: '#/$defs/A', description: 'x' } } } }), 'gemini-2.5-flash', /'description' is set next to '\$ref'/],
    ['a JSON Schema keyword outside the supported ones', configured({ responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { a: { not: { type: 'string' } } } } }), 'gemini-2.5-flash', /unsupported JSON Schema keyword 'not'/],
    ['parameters as JSON Schema that are not an object', declaring({ parametersJsonSchema: { type: 'string' } }), 'gemini-2.5-flash', /must describe an object/],
  ])('refuses %s', (_case, body, model, message) => {
    const validation = validateGenerateContent(body, model, new Set(['aXNzdWVk']));
    expect(validation).toEqual({ ok: false, message: expect.stringMatching(message) });
  });

  it.each<[string, unknown]>([
    ['an issued signature', { contents: [user('x'), { role: 'model', parts: [call('a', 'aXNzdWVk'), call('b')] }, { role: 'user', parts: [answer('a'), answer('b')] }] }],
    ["Google's documented placeholder", { contents: [user('x'), { role: 'model', parts: [call('a', SKIP_SIGNATURE)] }, { role: 'user', parts: [answer('a')] }] }],
  ])('accepts a Gemini 3 replay with %s', (_case, body) => {
    expect(validateGenerateContent(body, 'gemini-3-pro-preview', new Set(['aXNzdWVk'])).ok).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a tool declared by parametersJsonSchema (a free-form map)', declaring({ description: 'd', parametersJsonSchema: { ...MAP, $schema: 'http://json-schema.org/draft-07/schema#', additionalProperties: false } })],
    ['JSON output constrained by responseJsonSchema', configured({ responseMimeType: 'application/json', responseJsonSchema: { anyOf: [{ type: 'string' }, { type: 'null' }] } })],
  ])('accepts %s', (_case, body) => {
    expect(validateGenerateContent(body, 'gemini-2.5-flash', new Set()).ok).toBe(true);
  });
});
