import { parseAdapterUrls } from './adapter-urls';

describe('ADAPTER_URLS', () => {
  it.each([
    ['openai=adapter-openai:50053', { openai: 'adapter-openai:50053' }],
    ['openai=10.0.0.1:1,10.0.0.2:1,anthropic=dns:///adapter-anthropic:2', { openai: '10.0.0.1:1,10.0.0.2:1', anthropic: 'dns:///adapter-anthropic:2' }],
    [' openai=127.0.0.1:1 , anthropic=127.0.0.1:2 ', { openai: '127.0.0.1:1', anthropic: '127.0.0.1:2' }],
    ['', {}],
  ])('%j', (value, expected) => {
    expect(parseAdapterUrls(value)).toEqual(expected);
  });

  it.each([
    ['127.0.0.1:1,openai=127.0.0.1:2', /must start with kind=/],
    ['openai=127.0.0.1:1,openai=127.0.0.1:2', /twice/],
    ['openai=adapter-a:1,adapter-b:1', /dns:\/\/\//],
    ['openai=nohost', /host:port/],
  ])('refuses %j', (value, reason) => {
    expect(() => parseAdapterUrls(value)).toThrow(reason);
  });
});
