import type { GeminiPart } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

// Images policy (README, Gemini provider): a `data:` URI is sent inline (`inlineData`); an
// https URL is handed to Google as `fileData.fileUri` and fetched by Google, never by the
// gateway. Fetching client-chosen URLs from inside the gateway would let any API-key holder
// make it request internal addresses (SSRF: metadata endpoints, admin ports) and would put
// unbounded downloads on the request path. Anything else (http:, file:, ftp:) is refused.

/** The image types Gemini documents for inline data (ai.google.dev/gemini-api/docs/image-understanding). */
const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];
const DATA_URI = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;
const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** An OpenAI `image_url.url` as a Gemini part. */
export function toGeminiImagePart(url: string, param: string): GeminiPart {
  if (/^https:\/\//i.test(url)) return { fileData: { ...mimeTypeOfUrl(url), fileUri: url } };
  const match = DATA_URI.exec(url);
  if (!match) throw invalidParameter(param, 'Image URLs must be https URLs or base64 data: URIs.');
  const [, mediaType, parameters, data] = match;
  const mimeType = mediaType.toLowerCase();
  if (!INLINE_IMAGE_TYPES.includes(mimeType)) {
    throw invalidParameter(param, `Image media type '${mediaType.slice(0, 64)}' is not supported by Gemini; use one of ${INLINE_IMAGE_TYPES.join(', ')}.`);
  }
  if (!parameters.split(';').includes('base64')) throw invalidParameter(param, 'Image data: URIs must be base64-encoded.');
  return { inlineData: { mimeType, data } };
}

function mimeTypeOfUrl(url: string): { mimeType?: string } {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return {};
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  const mimeType = extension ? TYPE_BY_EXTENSION[extension] : undefined;
  return mimeType ? { mimeType } : {};
}
