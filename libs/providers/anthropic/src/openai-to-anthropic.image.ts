import type { AnthropicImageBlock, AnthropicImageMediaType } from './anthropic.types';
import { invalidParameter } from './invalid-parameter';

const SUPPORTED_MEDIA_TYPES: readonly AnthropicImageMediaType[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const DATA_URI = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;

function isSupportedMediaType(mediaType: string): mediaType is AnthropicImageMediaType {
  return (SUPPORTED_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/** An OpenAI `image_url.url` (a base64 `data:` URI or an http(s) URL) as an Anthropic image block. */
export function toAnthropicImage(url: string, param: string): AnthropicImageBlock {
  if (/^https?:\/\//i.test(url)) {
    return { type: 'image', source: { type: 'url', url } };
  }
  const match = DATA_URI.exec(url);
  if (!match) {
    throw invalidParameter(param, 'Image URLs must be http(s) URLs or base64 data: URIs.');
  }
  const [, mediaType, parameters, data] = match;
  const normalizedType = mediaType.toLowerCase();
  if (!isSupportedMediaType(normalizedType)) {
    throw invalidParameter(
      param,
      `Image media type '${mediaType}' is not supported by this model; use one of ${SUPPORTED_MEDIA_TYPES.join(', ')}.`,
    );
  }
  if (!parameters.split(';').includes('base64')) {
    throw invalidParameter(param, 'Image data: URIs must be base64-encoded.');
  }
  return { type: 'image', source: { type: 'base64', media_type: normalizedType, data } };
}
