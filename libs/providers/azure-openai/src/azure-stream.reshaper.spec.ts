import { OpenAiStreamParser, type OpenAiStreamOutput } from '@ai-gateway/providers-openai';
import { fixtureText, sseData } from '../test/fixtures';
import { AzureStreamReshaper } from './azure-stream.reshaper';

interface ClientChunk {
  id: string;
  object: string;
  model: string;
  choices: Array<{ index: number; delta?: { content?: string }; finish_reason: string | null; content_filter_results?: unknown }>;
  usage?: unknown;
}

function run(fixture: string, usageForced = false): { outputs: OpenAiStreamOutput[]; parser: OpenAiStreamParser } {
  const parser = new OpenAiStreamParser({ usageForced, reshape: new AzureStreamReshaper().reshape });
  // Fed in 7-byte pieces: annotations split across reads must not matter.
  const bytes = Buffer.from(fixtureText(fixture));
  const outputs: OpenAiStreamOutput[] = [];
  for (let i = 0; i < bytes.length; i += 7) outputs.push(...parser.feed(bytes.subarray(i, i + 7)));
  outputs.push(...parser.finish());
  return { outputs, parser };
}

const chunksOf = (outputs: OpenAiStreamOutput[]): ClientChunk[] =>
  outputs.filter((output) => output.kind === 'chunk').map((output) => JSON.parse((output as { data: string }).data) as ClientChunk);

describe('AzureStreamReshaper over recorded Azure streams', () => {
  it.each(['stream-async-filter.txt', 'stream-blocked.txt', 'stream-default.txt'])('%s: every chunk a client sees is an OpenAI chunk with a delta', (fixture) => {
    const { outputs, parser } = run(fixture);
    expect(outputs.some((output) => output.kind === 'error')).toBe(false);
    expect(parser.complete).toBe(true);
    for (const chunk of chunksOf(outputs)) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).not.toBe('');
      if (chunk.usage) continue;
      expect(chunk.choices.length).toBeGreaterThan(0);
      for (const choice of chunk.choices) expect(choice.delta).toEqual(expect.any(Object));
    }
  });

  it('drops prompt annotations and token-less annotations, keeping the text', () => {
    const { outputs } = run('stream-async-filter.txt');
    const chunks = chunksOf(outputs);
    expect(chunks.map((chunk) => chunk.choices[0].delta?.content ?? null)).toEqual([null, 'Color', ' is', null]);
    expect(sseData(fixtureText('stream-async-filter.txt'))).toHaveLength(8);
    expect(outputs.find((output) => output.kind === 'model')).toEqual({ kind: 'model', model: 'gpt-35-turbo' });
  });

  it('keeps the content_filter finish of a blocked stream, in the stream\'s own id and model', () => {
    const chunks = chunksOf(run('stream-blocked.txt').outputs);
    const last = chunks[chunks.length - 1];
    expect(last).toMatchObject({ id: 'chatcmpl-8JCbt5d4luUIhYCI7YH4dQK7hnHx2', model: 'gpt-35-turbo', created: 1699587397 });
    expect(last.choices[0]).toMatchObject({ index: 0, finish_reason: 'content_filter', delta: {}, content_filter_results: { protected_material_text: { detected: true, filtered: true } } });
  });

  it('passes ordinary chunks byte for byte and reads the usage chunk', () => {
    const { outputs } = run('stream-default.txt');
    const recorded = sseData(fixtureText('stream-default.txt'));
    const forwarded = outputs.filter((output) => output.kind === 'chunk').map((output) => (output as { data: string }).data);
    expect(forwarded).toEqual(recorded.slice(1, 6));
    expect(outputs.find((output) => output.kind === 'usage')).toEqual({ kind: 'usage', usage: expect.objectContaining({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 }) });
  });

  it('drops the usage chunk the gateway asked for', () => {
    const chunks = chunksOf(run('stream-default.txt', true).outputs);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });
});
