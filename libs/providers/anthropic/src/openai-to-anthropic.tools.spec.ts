import { OpenAiRequestError, type ChatCompletionRequest, type FunctionTool } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import { toAnthropicToolFields, type AnthropicToolFields } from './openai-to-anthropic.tools';

type ToolRequest = Pick<ChatCompletionRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>;

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    strict: true,
  },
};
const now: FunctionTool = { type: 'function', function: { name: 'now' } };
const anthropicWeather = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const anthropicNow = { name: 'now', input_schema: { type: 'object', properties: {} } };

describe('toAnthropicToolFields', () => {
  const cases: Array<[string, ToolRequest, AnthropicToolFields]> = [
    ['no tools', {}, {}],
    ['no tools with tool_choice none', { tool_choice: 'none' }, {}],
    ['no tools with parallel_tool_calls false', { parallel_tool_calls: false }, {}],
    ['tools without a choice', { tools: [weather, now] }, { tools: [anthropicWeather, anthropicNow] }],
    ['auto', { tools: [weather], tool_choice: 'auto' }, { tools: [anthropicWeather], tool_choice: { type: 'auto' } }],
    ['none', { tools: [weather], tool_choice: 'none' }, { tools: [anthropicWeather], tool_choice: { type: 'none' } }],
    ['required', { tools: [weather], tool_choice: 'required' }, { tools: [anthropicWeather], tool_choice: { type: 'any' } }],
    [
      'a named function',
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
      { tools: [anthropicWeather], tool_choice: { type: 'tool', name: 'get_weather' } },
    ],
    [
      'parallel_tool_calls false and no choice',
      { tools: [weather], parallel_tool_calls: false },
      { tools: [anthropicWeather], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    ],
    [
      'parallel_tool_calls false with required',
      { tools: [weather], tool_choice: 'required', parallel_tool_calls: false },
      { tools: [anthropicWeather], tool_choice: { type: 'any', disable_parallel_tool_use: true } },
    ],
    [
      'parallel_tool_calls false with a named function',
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false },
      { tools: [anthropicWeather], tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } },
    ],
    [
      'parallel_tool_calls true changes nothing',
      { tools: [weather], parallel_tool_calls: true },
      { tools: [anthropicWeather] },
    ],
  ];

  it.each(cases)('translates %s', (_name, request, expected) => {
    expect(toAnthropicToolFields(request)).toEqual(expected);
  });

  const refusals: Array<[string, ToolRequest, string]> = [
    ['required without tools', { tool_choice: 'required' }, 'tool_choice'],
    ['a named function without tools', { tool_choice: { type: 'function', function: { name: 'f' } } }, 'tool_choice'],
    ['a non-function tool', { tools: [{ type: 'custom' } as unknown as FunctionTool] }, 'tools[0].type'],
    ['an unknown tool_choice', { tools: [weather], tool_choice: 'sometimes' as unknown as 'auto' }, 'tool_choice'],
  ];

  it.each(refusals)('refuses %s with a 400 naming the parameter', (_name, request, param) => {
    const thrown = thrownBy(() => toAnthropicToolFields(request));
    expect(thrown).toBeInstanceOf(OpenAiRequestError);
    expect(thrown).toMatchObject({ status: 400, param });
  });
});
