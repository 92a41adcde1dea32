import type { Header } from '@ai-gateway/proto';

/** Upstream (undici) headers as one lowercase string per name; repeated values are joined with ", ". */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The client's forwarded headers (gRPC list) as a record keyed by lowercase name. */
export function clientHeaders(headers: readonly Header[]): Record<string, string> {
  return Object.fromEntries(headers.map(({ name, value }) => [name.toLowerCase(), value]));
}
