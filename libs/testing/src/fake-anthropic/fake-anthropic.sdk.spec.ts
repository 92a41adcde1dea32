// The official @anthropic-ai/sdk pointed at the fake: it must parse what the fake emits,
// thinking blocks and their signatures included.
import Anthropic from '@anthropic-ai/sdk';
import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic, type FakeAnthropic } from './index';

describe('the fake Anthropic through the official SDK', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    client = new Anthropic({ apiKey: FAKE_ANTHROPIC_API_KEY, baseURL: fake.url, maxRetries: 0 });
  });
  afterAll(() => fake.close());

  const thinkingRequest = { model: 'claude-sonnet-4-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 } as const };

  it('streams a signed thinking block that the SDK assembles, and accepts it replayed to the same model', async () => {
    const stream = client.messages.stream({ ...thinkingRequest, messages: [{ role: 'user', content: 'Hi' }] });
    const message = await stream.finalMessage();
    const thinking = message.content[0];
    expect(thinking.type).toBe('thinking');
    expect(thinking.type === 'thinking' && thinking.signature.length).toBeGreaterThan(20);
    const replay = await client.messages.create({
      ...thinkingRequest,
      messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: message.content }, { role: 'user', content: 'Again' }],
    });
    expect(replay.content[0].type).toBe('thinking');
  });

  it('refuses a thinking block replayed to another model (its signature belongs to another model)', async () => {
    const message = await client.messages.create({ ...thinkingRequest, messages: [{ role: 'user', content: 'Hi' }] });
    const replay = client.messages.create({
      ...thinkingRequest,
      model: 'claude-3-5-haiku-20241022',
      messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: message.content }, { role: 'user', content: 'Again' }],
    });
    await expect(replay).rejects.toMatchObject({ status: 400, error: { error: { type: 'invalid_request_error' } } });
  });
});
