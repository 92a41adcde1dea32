import { fixtureJson, fixtureText, type RecordedError } from '../test/fixtures';
import { anthropicChatTranslator } from './anthropic.translator';

const target = { model: 'claude-3-haiku-20240307', maxOutputTokens: 4096 };

describe('anthropicChatTranslator', () => {
  it.each<[string, () => unknown, unknown]>([
    [
      'request',
      () => anthropicChatTranslator.request({ model: 'claude-3-haiku', messages: [{ role: 'user', content: 'Hi' }] }, target, 'sk-ant-k', {}),
      {
        path: '/v1/messages',
        headers: { 'x-api-key': 'sk-ant-k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-3-haiku-20240307', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }),
      },
    ],
    [
      'response',
      () => anthropicChatTranslator.response(fixtureJson('text-response.json'), target),
      expect.objectContaining({ id: 'msg_01XFDUDYJgAACzvnptvVoYEL', object: 'chat.completion', created: expect.any(Number) }),
    ],
    [
      'error',
      () => {
        const recorded = fixtureJson<RecordedError>('error-529-overloaded.json');
        return anthropicChatTranslator.error(recorded.status, JSON.stringify(recorded.body), recorded.headers);
      },
      expect.objectContaining({ status: 503, upstreamStatus: 529, retryable: true }),
    ],
    [
      'rateLimitHeaders',
      () => anthropicChatTranslator.rateLimitHeaders({ 'anthropic-ratelimit-requests-remaining': '7', 'request-id': 'req_1' }),
      { 'anthropic-ratelimit-requests-remaining': '7', 'x-ratelimit-remaining-requests': '7' },
    ],
  ])('wires %s', (_name, call, expected) => {
    expect(call()).toEqual(expected);
  });

  it('creates a fresh stream parser per request', () => {
    const options = { includeUsage: false, model: 'claude-3-haiku-20240307' };
    const first = anthropicChatTranslator.streamParser(options);
    const second = anthropicChatTranslator.streamParser(options);
    expect(first).not.toBe(second);
    first.feed(new TextEncoder().encode(fixtureText('text-stream.txt')));
    expect(first.responseModel).toBe('claude-3-5-sonnet-20241022');
    expect(second.responseModel).toBeUndefined();
  });
});
