import { openAiUpstreamBody } from './openai-upstream.request';

const bytes = (value: object | string): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const text = (body: Uint8Array | string): string => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));

describe('openAiUpstreamBody', () => {
  it('forwards the client bytes untouched when nothing must change', () => {
    const raw = bytes('{"model": "gpt-4o",  "messages": [{"role":"user","content":"hi"}]}');
    const out = openAiUpstreamBody({ raw, clientModel: 'gpt-4o', targetModel: 'gpt-4o', stream: false, includeUsage: false });
    expect(out.body).toBe(raw);
    expect(out.usageForced).toBe(false);
  });

  it('forwards a stream that already asks for usage untouched', () => {
    const raw = bytes({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [] });
    const out = openAiUpstreamBody({ raw, clientModel: 'gpt-4o', targetModel: 'gpt-4o', stream: true, includeUsage: true });
    expect(out.body).toBe(raw);
    expect(out.usageForced).toBe(false);
  });

  it('splices the usage request into a stream without stream_options, keeping every other byte', () => {
    const raw = bytes('{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"é {"}]}');
    const out = openAiUpstreamBody({ raw, clientModel: 'gpt-4o', targetModel: 'gpt-4o', stream: true, includeUsage: false });
    expect(out.usageForced).toBe(true);
    expect(JSON.parse(text(out.body))).toEqual({
      stream_options: { include_usage: true },
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'é {' }],
    });
  });

  it.each([
    ['an alias', { model: 'gpt-4o-latest', messages: [] }, false, false],
    ['a pinned model', { model: 'backup/gpt-4o', messages: [] }, false, false],
    ['a stream whose client turned usage off', { model: 'gpt-4o', stream: true, stream_options: { include_usage: false }, messages: [] }, true, false],
  ])('rewrites the JSON for %s', (_case, body, stream, includeUsage) => {
    const out = openAiUpstreamBody({ raw: bytes(body), clientModel: body.model, targetModel: 'gpt-4o', stream, includeUsage });
    const sent = JSON.parse(text(out.body)) as { model: string; stream_options?: { include_usage: boolean } };
    expect(sent.model).toBe('gpt-4o');
    expect(out.usageForced).toBe(stream);
    if (stream) expect(sent.stream_options).toEqual({ include_usage: true });
  });
});
