import { fixtureJson } from '../test/fixtures';
import { toOpenAiChatCompletion } from './gemini-to-openai.response';
import { thoughtSignatureOf } from './gemini-tool-call-id';

const target = { model: 'gemini-2.5-flash', maxOutputTokens: 65_536 };
const now = (): number => 1_750_000_000_000;

describe('toOpenAiChatCompletion', () => {
  it('answers text, leaves thought summaries out and counts thinking and cached tokens', () => {
    const completion = toOpenAiChatCompletion(fixtureJson('text-response.json'), target, now);
    expect(completion).toMatchObject({
      id: 'chatcmpl-9w5caMW5Br6Hm9IPoJ6YkQ4',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'The sky is blue because of Rayleigh scattering.' } }],
      usage: { prompt_tokens: 8, completion_tokens: 40, total_tokens: 48, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 30 } },
    });
  });

  it('turns two function calls into tool_calls with distinct stable ids, the signature on the first', () => {
    const body = fixtureJson('two-function-calls-response.json');
    const completion = toOpenAiChatCompletion(body, target, now);
    const calls = completion.choices[0].message.tool_calls ?? [];
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
    expect(calls.map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { city: 'Paris' }],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(calls.every((call) => /^[A-Za-z0-9_-]+$/.test(call.id))).toBe(true);
    expect(thoughtSignatureOf(calls[0].id)).toBe('CiQB0e2Kb+oHVnJ2PX9tGH5S0V8mRlFEQS/pWRxHDBgbUu2J8L0=');
    expect(thoughtSignatureOf(calls[1].id)).toBeUndefined();
    expect(toOpenAiChatCompletion(body, target, now).choices[0].message.tool_calls?.map((call) => call.id)).toEqual(calls.map((call) => call.id));
  });

  it.each<[string, string]>([
    ['blocked-prompt-response.json', 'content_filter'],
    ['max-tokens-response.json', 'length'],
  ])('reads %s as finish_reason %s', (fixture, reason) => {
    expect(toOpenAiChatCompletion(fixtureJson(fixture), target, now).choices[0].finish_reason).toBe(reason);
  });

  it.each<[string, unknown]>([
    ['a list', []],
    ['candidates that are no list', { candidates: 'x' }],
    ['a part that is no object', { candidates: [{ content: { parts: [5] } }] }],
    ['a function call without a name', { candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] }],
  ])('refuses %s', (_case, body) => {
    expect(() => toOpenAiChatCompletion(body, target, now)).toThrow(TypeError);
  });
});
