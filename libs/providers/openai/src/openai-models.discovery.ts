import { providerHeaderOverrides } from './provider-header-overrides';

/** A model list longer than this is cut: a catalog, not a dump. */
export const MAX_DISCOVERED_MODELS = 2000;
/** The largest `GET /models` answer read (2,000 ids with metadata fit in well under 1 MiB). */
export const MAX_MODEL_LIST_BYTES = 1024 * 1024;
export const MODEL_DISCOVERY_TIMEOUT_MS = 10_000;
/** Model ids longer than this, or with control characters, are not model ids. */
const MODEL_ID = /^[\x21-\x7e][\x20-\x7e]{0,255}$/;

export interface DiscoveredModels {
  models: string[];
  /** The server listed more than MAX_DISCOVERED_MODELS: the rest was not read. */
  truncated: boolean;
}

export class ModelDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelDiscoveryError';
  }
}

/** The ids of an OpenAI `GET /models` answer (`{"object":"list","data":[{"id",...}]}`), deduplicated, bounded. */
export function readModelList(text: string): DiscoveredModels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ModelDiscoveryError('the model list is not JSON');
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new ModelDiscoveryError('the model list has no "data" array');
  const models = new Set<string>();
  for (const entry of data) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && MODEL_ID.test(id)) models.add(id);
    if (models.size >= MAX_DISCOVERED_MODELS) return { models: [...models], truncated: data.length > MAX_DISCOVERED_MODELS };
  }
  return { models: [...models], truncated: false };
}

export interface DiscoveryTarget {
  /** The provider's base URL, ending in /v1 for most servers (OPENAI_BASE_URL convention). */
  baseUrl: string;
  apiKey: string;
  headers?: Record<string, string>;
}

/**
 * Asks an OpenAI-compatible server which models it serves (`GET {baseUrl}/models`), for an
 * admin action, never per request. Time, size and count bounded; errors never quote the key.
 */
export async function discoverOpenAiCompatibleModels(target: DiscoveryTarget, signal?: AbortSignal): Promise<DiscoveredModels> {
  const headers: Record<string, string> = { ...providerHeaderOverrides(target.headers), accept: 'application/json' };
  if (target.apiKey.trim() !== '') headers.authorization = `Bearer ${target.apiKey.trim()}`;
  const timeout = AbortSignal.timeout(MODEL_DISCOVERY_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl.replace(/\/+$/, '')}/models`, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'error' });
  } catch (error) {
    const reason = timeout.aborted ? `no answer within ${MODEL_DISCOVERY_TIMEOUT_MS} ms` : error instanceof Error && 'cause' in error ? String((error.cause as { code?: string } | undefined)?.code ?? 'connection failed') : 'connection failed';
    throw new ModelDiscoveryError(`the server could not be asked for its models (${reason})`);
  }
  const text = await readBoundedText(response, MAX_MODEL_LIST_BYTES);
  if (!response.ok) throw new ModelDiscoveryError(`the server answered HTTP ${response.status} to GET /models`);
  return readModelList(text);
}

async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ModelDiscoveryError(`the model list is larger than ${maxBytes} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}
