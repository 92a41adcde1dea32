import { DiscoveryUnsupportedError, ModelDiscoveryError } from '@ai-gateway/adapters';
import { secretScrubber } from '@ai-gateway/logging';
import type { DiscoverModelsRequest, DiscoverModelsResponse } from '@ai-gateway/proto';
import { gatewayRpcException, GrpcStatus } from '@ai-gateway/service-kit';
import type { Logger } from 'pino';
import type { AdapterDirectory } from './adapter.directory';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { withoutEchoedKeys } from './echoed-key.filter';
import type { ProviderKeysCache } from './provider-keys.cache';

/**
 * The admin's "discover models" action (issue 17): the provider's `GET /models` with one of its
 * keys, which only the router holds decrypted, asked where the provider's kind runs (the adapter
 * service in service mode). Not on the request path; errors name the provider and what went
 * wrong, never the key.
 */
export async function discoverModelsOf(
  request: DiscoverModelsRequest,
  config: Pick<ConfigSnapshotWatcher, 'current'>,
  keys: Pick<ProviderKeysCache, 'roundRobin'>,
  adapters: Pick<AdapterDirectory, 'discoverModels'>,
  logger: Logger,
): Promise<DiscoverModelsResponse> {
  const provider = config.current().snapshot.providers.find((p) => p.id === request.providerId);
  if (!provider) throw gatewayRpcException(GrpcStatus.NOT_FOUND, `There is no provider \`${request.providerId.slice(0, 64)}\`.`, { openaiErrorType: 'not_found_error', openaiErrorCode: 'provider_not_found' });
  const { keys: held, start } = keys.roundRobin(provider.id);
  // An OpenAI-compatible server without a key (a local vLLM or Ollama) is asked without one.
  const apiKey = held.length > 0 ? held[start].secret : '';
  try {
    const discovered = await adapters.discoverModels({ providerId: provider.id, kind: provider.kind, baseUrl: provider.baseUrl, apiKey, model: '', maxOutputTokens: 0, settings: provider.settings });
    // A provider echoing a key (any held key, whole or in part) as a model id must not hand it to the admin's screen.
    return { models: withoutEchoedKeys(discovered.models), truncated: discovered.truncated };
  } catch (error) {
    if (error instanceof DiscoveryUnsupportedError) {
      throw gatewayRpcException(GrpcStatus.INVALID_ARGUMENT, error.message, { openaiErrorType: 'invalid_request_error', openaiErrorCode: 'discovery_unsupported', provider: provider.id });
    }
    const reason = error instanceof ModelDiscoveryError ? secretScrubber.scrub(error.message) : 'unexpected failure';
    if (!(error instanceof ModelDiscoveryError)) logger.error({ provider: provider.id, err: secretScrubber.scrub(String(error)) }, 'model discovery failed unexpectedly');
    throw gatewayRpcException(GrpcStatus.UNAVAILABLE, `Model discovery on provider \`${provider.id}\` failed: ${reason}.`, { openaiErrorType: 'api_error', openaiErrorCode: 'discovery_failed', provider: provider.id });
  }
}
