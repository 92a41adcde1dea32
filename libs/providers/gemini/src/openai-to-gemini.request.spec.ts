import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/fixtures';
import { SKIP_THOUGHT_SIGNATURE } from './openai-to-gemini.contents';
import { requiresThoughtSignatures, toGeminiGenerateContentRequest } from './openai-to-gemini.request';
import { toolCallId } from './gemini-tool-call-id';

const flash = { model: 'gemini-2.5-flash', maxOutputTokens: 65_536 };
const old = { model: 'gemini-2.0-flash', maxOutputTokens: 8_192 };
const three = { model: 'gemini-3-pro-preview', maxOutputTokens: 65_536 };
const user = (content: unknown): object => ({ role: 'user', content });
const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const SIGNATURE = 'CiQB0e2Kb+oHVnJ2PX9tGH5S0V8mRlFEQS/pWRxHDBgbUu2J8L0=';

describe('toGeminiGenerateContentRequest', () => {
  it('moves system and developer messages to systemInstruction and maps roles to user/model', () => {
    const body = toGeminiGenerateContentRequest(
      { model: 'x', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] }, user('Hi'), { role: 'assistant', content: 'Salut' }, user('Ça va ?')] },
      flash,
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Use French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Salut' }] },
        { role: 'user', parts: [{ text: 'Ça va ?' }] },
      ],
    });
  });

  it("reads an assistant turn's refusal part as what it said", () => {
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user('Hi'), { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }, user('Then say hi.')] }, flash);
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'I cannot help with that.' }] },
      { role: 'user', parts: [{ text: 'Then say hi.' }] },
    ]);
  });

  it('sends a data: image inline and an https image as fileData for Google to fetch', () => {
    const body = toGeminiGenerateContentRequest(
      {
        model: 'x',
        messages: [
          user([
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=2' } },
          ]),
        ],
      },
      flash,
    );
    expect(body.contents[0].parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=2' } },
    ]);
  });

  it('sends a PDF file part inline', () => {
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user([{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } }])] }, flash);
    expect(body.contents[0].parts).toEqual([{ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0xLjQ=' } }]);
  });

  it('replays a tool round trip: the signature back on its call, the result named after the call, consecutive user parts merged', () => {
    const signed = toolCallId('resp-1', 0, SIGNATURE);
    const plain = toolCallId('resp-1', 1);
    const body = toGeminiGenerateContentRequest(
      {
        model: 'x',
        tools: [weather],
        messages: [
          user('Weather in Paris and Rome?'),
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: signed, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: plain, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: signed, content: '{"temp":21}' },
          { role: 'tool', tool_call_id: plain, content: 'sunny' },
          user('Thanks'),
        ],
      },
      three,
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIGNATURE },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
          { functionResponse: { name: 'get_weather', response: { result: 'sunny' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it.each<[string, { model: string; maxOutputTokens: number }, string | undefined]>([
    ['Gemini 3 gets the documented placeholder', three, SKIP_THOUGHT_SIGNATURE],
    ['Gemini 2.5 gets none', flash, undefined],
  ])('replays a foreign tool call (a fallback from gpt-4o): %s', (_case, target, signature) => {
    const body = toGeminiGenerateContentRequest(
      {
        model: 'x',
        messages: [user('hi'), { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'call_abc123', content: 'ok' }],
      },
      target,
    );
    expect(body.contents[1].parts[0].thoughtSignature).toBe(signature);
  });

  it('declares an MCP-style tool without the formats and number enums Gemini refuses', () => {
    const parameters = { type: 'object', properties: { url: { type: 'string', format: 'uri' }, level: { type: 'integer', enum: [1, 2, 3] }, since: { type: 'string', format: 'date-time' } }, required: ['url'] };
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], tools: [{ type: 'function', function: { name: 'open_page', parameters } }] }, flash);
    expect(body.tools?.[0].functionDeclarations[0].parameters).toEqual({
      type: 'OBJECT',
      properties: { url: { type: 'STRING' }, level: { type: 'INTEGER' }, since: { type: 'STRING', format: 'date-time' } },
      required: ['url'],
    });
  });

  it('declares tools with the Schema subset and maps every tool_choice', () => {
    const base = { model: 'x', messages: [user('hi')], tools: [weather, { type: 'function', function: { name: 'now' } }] };
    const body = toGeminiGenerateContentRequest(base, flash);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } },
          { name: 'now' },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
    const choices: Array<[unknown, object]> = [
      ['auto', { mode: 'AUTO' }],
      ['none', { mode: 'NONE' }],
      ['required', { mode: 'ANY' }],
      [{ type: 'function', function: { name: 'now' } }, { mode: 'ANY', allowedFunctionNames: ['now'] }],
    ];
    for (const [choice, config] of choices) {
      expect(toGeminiGenerateContentRequest({ ...base, tool_choice: choice }, flash).toolConfig).toEqual({ functionCallingConfig: config });
    }
  });

  it('translates sampling, limits, stops, seed and JSON output', () => {
    const body = toGeminiGenerateContentRequest(
      {
        model: 'x',
        messages: [user('hi')],
        temperature: 1.5,
        top_p: 0.9,
        max_tokens: 100,
        max_completion_tokens: 200,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.5,
        response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { n: { type: ['integer', 'null'] }, kind: { const: 'x' } }, required: ['n'], additionalProperties: false } } },
      },
      flash,
    );
    expect(body.generationConfig).toEqual({
      temperature: 1.5,
      topP: 0.9,
      maxOutputTokens: 200,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true }, kind: { enum: ['x'] } }, required: ['n'] },
    });
    expect(toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], response_format: { type: 'json_object' } }, flash).generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  // FunctionDeclaration.parametersJsonSchema and GenerationConfig.responseJsonSchema, each mutually
  // exclusive with its Schema-object field (googleapis/js-genai genai.d.ts).
  it('declares a tool the Schema subset cannot express (a free-form map, oneOf) with parametersJsonSchema instead of refusing it', () => {
    const parameters = {
      type: 'object',
      properties: { url: { type: 'string' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, body: { oneOf: [{ type: 'string' }, { type: 'object', properties: {} }] } },
      required: ['url'],
      additionalProperties: false,
    };
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], tools: [weather, { type: 'function', function: { name: 'fetch', parameters } }] }, flash);
    expect(body.tools?.[0].functionDeclarations).toEqual([
      { name: 'get_weather', description: 'Weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } },
      {
        name: 'fetch',
        parametersJsonSchema: {
          type: 'object',
          properties: { url: { type: 'string' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, body: { anyOf: [{ type: 'string' }, { type: 'object', properties: {} }] } },
          required: ['url'],
          additionalProperties: false,
        },
      },
    ]);
  });

  it.each<[string, object, object]>([
    ['an empty object', { type: 'object', properties: { go_back: { type: 'object', properties: {} } } }, { type: 'object', properties: { go_back: { type: 'object', properties: {} } } }],
    ['a root map', { type: 'object', additionalProperties: { type: 'integer' } }, { type: 'object', additionalProperties: { type: 'integer' } }],
    ['oneOf', { oneOf: [{ type: 'string' }, { type: 'number' }] }, { anyOf: [{ type: 'string' }, { type: 'number' }] }],
    ['a type union', { type: 'object', properties: { a: { type: ['string', 'number'] } } }, { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'number' }] } } }],
  ])('answers JSON constrained by responseJsonSchema for %s in response_format', (_case, schema, responseJsonSchema) => {
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } }, flash);
    expect(body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema });
  });

  it.each<[string, object, string]>([
    ['n > 1', { n: 2 }, 'n'],
    ['logprobs', { logprobs: true }, 'logprobs'],
    ['reasoning_effort for a model that does not think', { reasoning_effort: 'high' }, 'reasoning_effort'],
    ['an unknown reasoning_effort', { reasoning_effort: 'extreme' }, 'reasoning_effort'],
    ['six stop sequences', { stop: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'stop'],
    ['temperature above 2', { temperature: 2.5 }, 'temperature'],
    ['a fractional max_tokens', { max_tokens: 1.5 }, 'max_tokens'],
    ['a $ref in a tool schema', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { $ref: '#/$defs/A' } } } } }] }, 'tools[0].function.parameters.properties.a.$ref'],
    ['not in the response schema', { response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object', properties: { a: { not: { type: 'string' } } } } } } }, 'response_format.json_schema.schema.properties.a.not'],
    ['allOf of several schemas in a tool schema', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { allOf: [{ type: 'object' }, { required: ['x'] }] } } } } }] }, 'tools[0].function.parameters.properties.a.allOf'],
    ['a function name Gemini refuses', { tools: [{ type: 'function', function: { name: '1bad name' } }] }, 'tools[0].function.name'],
    ['tool_choice naming an unknown tool', { tools: [weather], tool_choice: { type: 'function', function: { name: 'other' } } }, 'tool_choice.function.name'],
    ['an http image', { messages: [user([{ type: 'image_url', image_url: { url: 'http://10.0.0.1/x.png' } }])] }, 'messages[0].content[0].image_url.url'],
    ['an image type Gemini refuses', { messages: [user([{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,PHN2Zz4=' } }])] }, 'messages[0].content[0].image_url.url'],
    ['an OpenAI file_id', { messages: [user([{ type: 'file', file: { file_id: 'file-abc' } }])] }, 'messages[0].content[0].file'],
    ['a file type Gemini cannot read inline', { messages: [user([{ type: 'file', file: { file_data: 'data:application/zip;base64,UEsDBA==' } }])] }, 'messages[0].content[0].file.file_data'],
    ['audio input', { messages: [user([{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }])] }, 'messages[0].content[0].type'],
    ['a tool result for no call', { messages: [user('x'), { role: 'tool', tool_call_id: 'nope', content: 'r' }] }, 'messages[1].tool_call_id'],
    ['arguments that are not JSON', { messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }] }, 'messages[1].tool_calls[0].function.arguments'],
    ['content of a wrong type', { messages: [user(5)] }, 'messages[0].content'],
    ['only a system message', { messages: [{ role: 'system', content: 'x' }] }, 'messages'],
  ])('refuses %s with a 400 naming the field', (_case, fields, param) => {
    const error = thrownBy(() => toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], ...fields }, param === 'reasoning_effort' ? old : flash));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });

  it('refuses a schema nested deeper than Gemini takes, before recursing far', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 5000; i++) schema = { type: 'array', items: schema };
    const error = thrownBy(() => toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] }, flash));
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('nested more than') });
  });

  it.each<[string, string, object]>([
    ['gemini-3-pro-preview', 'medium', { thinkingLevel: 'high' }],
    ['gemini-3-flash-preview', 'low', { thinkingLevel: 'low' }],
    ['gemini-2.5-flash', 'high', { thinkingBudget: 24_576 }],
    ['gemini-2.5-flash', 'none', { thinkingBudget: 0 }],
    ['gemini-2.5-pro', 'none', { thinkingBudget: 128 }],
    ['gemini-2.5-pro', 'minimal', { thinkingBudget: 1_024 }],
  ])('%s thinks with reasoning_effort %s as %j', (model, effort, thinkingConfig) => {
    const body = toGeminiGenerateContentRequest({ model: 'x', messages: [user('hi')], reasoning_effort: effort }, { model, maxOutputTokens: 0 });
    expect(body.generationConfig?.thinkingConfig).toEqual(thinkingConfig);
  });

  it.each<[string, boolean]>([
    ['gemini-3-pro-preview', true],
    ['gemini-3.1-flash', true],
    ['gemini-2.5-pro', false],
    ['gemini-1.5-pro', false],
    ['text-embedding-004', false],
  ])('%s requires thought signatures: %s', (model, expected) => {
    expect(requiresThoughtSignatures(model)).toBe(expected);
  });
});
