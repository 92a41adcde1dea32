import { discoverOpenAiCompatibleModels, type DiscoveredModels, type DiscoveryTarget } from '@ai-gateway/providers-openai';

/** Kinds whose providers answer OpenAI's `GET /models`: `openai` is also every OpenAI-compatible server. */
const DISCOVERERS: Readonly<Record<string, (target: DiscoveryTarget, signal?: AbortSignal) => Promise<DiscoveredModels>>> = {
  openai: discoverOpenAiCompatibleModels,
};

export class DiscoveryUnsupportedError extends Error {
  constructor(readonly kind: string) {
    super(`model discovery is for OpenAI-compatible providers (kind ${Object.keys(DISCOVERERS).join(', ')}); this provider is of kind "${kind.slice(0, 64)}"`);
    this.name = 'DiscoveryUnsupportedError';
  }
}

export function supportsModelDiscovery(kind: string): boolean {
  return Object.hasOwn(DISCOVERERS, kind);
}

/**
 * The models a provider lists (admin action, never per request), bounded in time, size and count
 * by the kind's discovery function; errors never quote the key (ModelDiscoveryError).
 */
export function discoverProviderModels(kind: string, target: DiscoveryTarget, signal?: AbortSignal): Promise<DiscoveredModels> {
  const discover = Object.hasOwn(DISCOVERERS, kind) ? DISCOVERERS[kind] : undefined;
  if (!discover) return Promise.reject(new DiscoveryUnsupportedError(kind));
  return discover(target, signal);
}
export { ModelDiscoveryError } from '@ai-gateway/providers-openai';
