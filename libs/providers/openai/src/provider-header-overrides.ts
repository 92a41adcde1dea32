/**
 * Headers an operator may not set through a provider's `headers`: the credential headers the
 * adapter sets from the provider key (an override would send a stale or foreign credential,
 * or expose the key's slot to a copy in config), and what HTTP framing owns.
 */
const RESERVED = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Visible ASCII and spaces/tabs, no CR/LF (no header injection), bounded. */
const HEADER_VALUE = /^[\t\x20-\x7e]{0,2048}$/;
/** More extra headers than this is a misconfiguration, not a need. */
export const MAX_HEADER_OVERRIDES = 32;

/**
 * A provider's extra headers (settings.headers), lowercased, without reserved names and
 * without anything that is not a valid header; at most MAX_HEADER_OVERRIDES.
 */
export function providerHeaderOverrides(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  let count = 0;
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (RESERVED.has(name) || !HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) continue;
    out[name] = value;
    if (++count >= MAX_HEADER_OVERRIDES) break;
  }
  return out;
}
