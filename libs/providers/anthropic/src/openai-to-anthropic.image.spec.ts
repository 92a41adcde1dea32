import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { toAnthropicImage } from './openai-to-anthropic.image';

const PARAM = 'messages[0].content[1].image_url.url';

describe('toAnthropicImage', () => {
  it.each([
    ['png data URI', 'data:image/png;base64,iVBORw0KGgo=', { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' }],
    ['jpeg data URI', 'data:image/jpeg;base64,/9j/4AAQ', { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' }],
    ['gif with charset-like parameter', 'data:image/gif;foo=bar;base64,R0lG', { type: 'base64', media_type: 'image/gif', data: 'R0lG' }],
    ['upper-case webp', 'data:IMAGE/WEBP;base64,UklG', { type: 'base64', media_type: 'image/webp', data: 'UklG' }],
    ['https URL', 'https://example.com/cat.png', { type: 'url', url: 'https://example.com/cat.png' }],
    ['http URL', 'http://example.com/cat.png', { type: 'url', url: 'http://example.com/cat.png' }],
  ])('translates a %s', (_name, url, source) => {
    expect(toAnthropicImage(url, PARAM)).toEqual({ type: 'image', source });
  });

  it.each([
    ['an unsupported media type', 'data:image/bmp;base64,Qk0=', /image\/bmp/],
    ['a non-base64 data URI', 'data:image/png,rawbytes', /base64/],
    ['an ftp URL', 'ftp://example.com/cat.png', /http\(s\)/],
    ['a malformed data URI', 'data:image/png;base64', /http\(s\)/],
  ])('refuses %s with a 400 naming the parameter', (_name, url, message) => {
    const call = (): unknown => toAnthropicImage(url, PARAM);
    expect(call).toThrow(OpenAiRequestError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: PARAM, type: 'invalid_request_error' });
    }
  });
});
