import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compatUsageChunkReshaper } from './openai-compat.stream';
import { openAiCompatibleBody, openAiCompatibleHeaders } from './openai-compat.request';
import { OPENAI_DEFAULT_SWITCHES, openAiCompatSwitchesOf } from './openai-compat.switches';
import { OpenAiStreamParser, type OpenAiStreamOutput } from './openai-stream.parser';
import { providerHeaderOverrides, MAX_HEADER_OVERRIDES } from './provider-header-overrides';

const raw = (value: object) => Buffer.from(JSON.stringify(value));
const text = (body: Uint8Array | string) => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
const streamRequest = { model: 'llama', stream: true, parallel_tool_calls: false, stream_options: { include_usage: true }, messages: [] };
const input = (body: object, includeUsage: boolean, stream = true) => ({ raw: raw(body), clientModel: 'llama', targetModel: 'llama', stream, includeUsage });

describe('OpenAI-compatible switches', () => {
  it('reads the switches from the provider settings, all off by default', () => {
    expect(openAiCompatSwitchesOf(undefined)).toEqual(OPENAI_DEFAULT_SWITCHES);
    expect(openAiCompatSwitchesOf({ headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {}, omitStreamOptions: true })).toEqual({
      ...OPENAI_DEFAULT_SWITCHES,
      omitStreamOptions: true,
    });
  });

  it('changes nothing with every switch off (the client bytes pass untouched)', () => {
    const body = input({ model: 'llama', messages: [] }, false, false);
    expect(openAiCompatibleBody(body, OPENAI_DEFAULT_SWITCHES).body).toBe(body.raw);
  });

  it.each([
    ['omitStreamOptions', { omitStreamOptions: true }, streamRequest, true, { stream_options: undefined, parallel_tool_calls: false }, false],
    ['omitStreamOptions, the gateway wanting usage', { omitStreamOptions: true }, { model: 'llama', stream: true, messages: [] }, false, { stream_options: undefined }, false],
    ['omitParallelToolCalls', { omitParallelToolCalls: true }, streamRequest, true, { parallel_tool_calls: undefined, stream_options: { include_usage: true } }, false],
    ['omitParallelToolCalls, the gateway asking for usage', { omitParallelToolCalls: true }, { model: 'llama', stream: true, messages: [] }, false, { stream_options: { include_usage: true } }, true],
    ['noStreamUsage: nothing asked on the client\'s behalf', { noStreamUsage: true }, { model: 'llama', stream: true, messages: [] }, false, { stream_options: undefined }, false],
    ['noStreamUsage: the client\'s own ask passes', { noStreamUsage: true }, streamRequest, true, { stream_options: { include_usage: true } }, false],
  ])('%s', (_case, on, body, includeUsage, expected, usageForced) => {
    const out = openAiCompatibleBody(input(body, includeUsage), { ...OPENAI_DEFAULT_SWITCHES, ...on });
    const sent = JSON.parse(text(out.body)) as Record<string, unknown>;
    for (const [field, value] of Object.entries(expected)) expect(sent[field]).toEqual(value);
    expect(out.usageForced).toBe(usageForced);
  });

  it('sends the bearer key only when the provider has one, and the extra headers without credentials', () => {
    expect(openAiCompatibleHeaders('', { 'X-Team': 'a', Authorization: 'Bearer stolen' })).toEqual({ 'x-team': 'a', 'content-type': 'application/json', accept: 'application/json' });
    expect(openAiCompatibleHeaders('sk-local', undefined).authorization).toBe('Bearer sk-local');
  });

  it('bounds and sanitises extra headers', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x-h${i}`, 'v']));
    expect(Object.keys(providerHeaderOverrides(many))).toHaveLength(MAX_HEADER_OVERRIDES);
    expect(providerHeaderOverrides({ 'x-a': 'line\r\nInjected: 1', 'bad name': 'v', host: 'evil', 'x-ok': 'fine' })).toEqual({ 'x-ok': 'fine' });
  });
});

describe('compatUsageChunkReshaper on a recorded LiteLLM proxy stream', () => {
  const recorded = readFileSync(join(__dirname, '../test/fixtures/litellm-proxy-stream.txt'));
  const run = (usageForced: boolean): OpenAiStreamOutput[] => {
    const parser = new OpenAiStreamParser({ usageForced, reshape: compatUsageChunkReshaper(usageForced) });
    return [...parser.feed(recorded), ...parser.finish()];
  };

  it('keeps the usage counts and hides the usage chunk the gateway asked for', () => {
    const outputs = run(true);
    expect(outputs.find((output) => output.kind === 'usage')).toMatchObject({ usage: { prompt_tokens: 8, completion_tokens: 6 } });
    const chunks = outputs.filter((output) => output.kind === 'chunk').map((output) => JSON.parse((output as { data: string }).data));
    expect(chunks).toHaveLength(4);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('passes the usage chunk to a client that asked for it', () => {
    const chunks = run(false).filter((output) => output.kind === 'chunk');
    expect(chunks).toHaveLength(5);
  });
});
