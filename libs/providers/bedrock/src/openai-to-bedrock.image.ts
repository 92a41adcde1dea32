import type { BedrockImageBlock, BedrockImageFormat } from './bedrock.types';
import { invalidParameter } from './invalid-parameter';

const FORMAT_BY_MEDIA_TYPE: Readonly<Record<string, BedrockImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const DATA_URI = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An OpenAI `image_url.url` as a Converse image block. Converse takes image bytes only, so a
 * base64 `data:` URI is passed on as its bytes. An http(s) URL is refused (400): fetching it
 * here would let any client make the gateway download from any address (SSRF) and hold the
 * image in memory; the client sends the bytes instead.
 */
export function toBedrockImage(url: string, param: string): BedrockImageBlock {
  if (/^https?:\/\//i.test(url)) {
    throw invalidParameter(param, 'Bedrock models take images as bytes only: send the image as a base64 data: URL, not an http(s) URL.');
  }
  const match = DATA_URI.exec(url);
  if (!match) throw invalidParameter(param, 'Image URLs must be base64 data: URLs (data:image/png;base64,...).');
  const [, mediaType, parameters, data] = match;
  const format = FORMAT_BY_MEDIA_TYPE[mediaType.toLowerCase()];
  if (!format) {
    throw invalidParameter(param, `Image media type '${mediaType.slice(0, 64)}' is not supported; use image/png, image/jpeg, image/gif or image/webp.`);
  }
  if (!parameters.split(';').includes('base64') || !BASE64.test(data)) {
    throw invalidParameter(param, 'Image data: URLs must be base64-encoded.');
  }
  return { image: { format, source: { bytes: data } } };
}
