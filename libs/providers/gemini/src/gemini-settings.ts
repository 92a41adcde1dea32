import type { ProviderTarget } from '@ai-gateway/proto';
import type { GeminiKind, VertexLocation } from './gemini-endpoint';

/** What a Gemini or Vertex provider's settings hold for the adapter (ProviderTarget.settings). */
export interface GeminiProviderSettings extends Partial<VertexLocation> {
  /** Extra headers the operator set on the provider; never the auth or content headers. */
  headers: Record<string, string>;
}

/** Headers an operator's settings cannot replace. */
const RESERVED_HEADERS = new Set(['x-goog-api-key', 'authorization', 'content-type', 'content-length', 'host']);

/** The provider's settings as the adapter reads them; absent (empty) fields are absent. */
export function geminiSettingsOf(target: ProviderTarget): GeminiProviderSettings {
  const settings = target.settings;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings?.headers ?? {})) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  return {
    headers,
    ...(settings?.project ? { project: settings.project } : {}),
    ...(settings?.location ? { location: settings.location } : {}),
  };
}

/** The kind a target names; the adapter is only ever given these two. */
export function geminiKindOf(target: ProviderTarget): GeminiKind {
  return target.kind === 'vertex' ? 'vertex' : 'gemini';
}
