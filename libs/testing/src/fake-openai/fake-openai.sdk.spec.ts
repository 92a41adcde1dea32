// The official openai SDK pointed at the fake parses what it emits (PROVIDERS.md §1).
import OpenAI from 'openai';
import { expectEventually } from '../expect-eventually';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai.server';

const KEY_A = 'sk-proj-fakeSdkKeyA0123456789abcdefgh';
const KEY_B = 'sk-proj-fakeSdkKeyB0123456789abcdefgh';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];

describe('fake OpenAI through the official SDK', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ validKeys: [KEY_A, KEY_B] });
  });
  afterAll(async () => fake.close());

  it('a rate-limited key gets OpenAI’s 429 (RateLimitError, rate_limit_exceeded, retry-after) while another key is served', async () => {
    fake.rateLimitKey(KEY_A, 20);
    try {
      const limited = new OpenAI({ apiKey: KEY_A, baseURL: fake.baseUrl, maxRetries: 0 });
      const error = await limited.chat.completions.create({ model: 'gpt-4o', messages: ASK }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimit.code).toBe('rate_limit_exceeded');
      expect(rateLimit.type).toBe('requests');
      expect(rateLimit.headers?.get('retry-after')).toBe('20');
      expect(rateLimit.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
      const served = new OpenAI({ apiKey: KEY_B, baseURL: fake.baseUrl, maxRetries: 0 });
      expect((await served.chat.completions.create({ model: 'gpt-4o', messages: ASK })).choices[0].message.content).toBe('Hello from the fake provider.');
    } finally {
      fake.rateLimitKey(KEY_A, undefined);
    }
    const again = new OpenAI({ apiKey: KEY_A, baseURL: fake.baseUrl, maxRetries: 0 });
    expect((await again.chat.completions.create({ model: 'gpt-4o', messages: ASK })).choices[0].message.content).toBe('Hello from the fake provider.');
  });

  it('a delayed answer is an ordinary completion, and a delayed error status is OpenAI’s error', async () => {
    const client = new OpenAI({ apiKey: KEY_A, baseURL: fake.baseUrl, maxRetries: 0 });
    fake.enqueue({ kind: 'delay', delayMs: 10 });
    expect((await client.chat.completions.create({ model: 'gpt-4o', messages: ASK })).choices[0].message.content).toBe('Hello from the fake provider.');
    fake.enqueue({ kind: 'delay', delayMs: 10, status: 503 });
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('counts a chat request whose caller aborted it before the answer', async () => {
    const client = new OpenAI({ apiKey: KEY_A, baseURL: fake.baseUrl, maxRetries: 0 });
    const before = fake.abortedChats();
    const chatsBefore = fake.chatRequests();
    fake.enqueue({ kind: 'hang' });
    const abort = new AbortController();
    const pending = client.chat.completions.create({ model: 'gpt-4o', messages: ASK }, { signal: abort.signal }).catch((e: unknown) => e);
    await expectEventually(() => expect(fake.chatRequests()).toBe(chatsBefore + 1), 2_000);
    abort.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await expectEventually(() => expect(fake.abortedChats() - before).toBe(1), 2_000);
  });
});
