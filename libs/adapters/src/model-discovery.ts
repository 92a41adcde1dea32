import { discoverOpenAiCompatibleModels, ModelDiscoveryError, type DiscoveredModels, type DiscoveryTarget } from '@ai-gateway/providers-openai';
import type { ProviderTarget } from '@ai-gateway/proto';
import { decodeGrpcError, gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';

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
export { ModelDiscoveryError };

/** What discovery reads of a call's target: where, as whom, with which extra headers. */
export function discoveryTargetOf(target: ProviderTarget): DiscoveryTarget {
  return { baseUrl: target.baseUrl, apiKey: target.apiKey, headers: target.settings?.headers ?? {} };
}

const UNSUPPORTED = 'discovery_unsupported';
const FAILED = 'discovery_failed';

/** A discovery failure as the adapter service answers it: the kind unsupported, or the provider's failure without the key. */
export function discoveryFailureToGrpc(error: unknown): GatewayGrpcErrorShape {
  if (error instanceof DiscoveryUnsupportedError) return gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, error.message, { openaiErrorType: 'invalid_request_error', openaiErrorCode: UNSUPPORTED });
  const reason = error instanceof ModelDiscoveryError ? error.message : 'unexpected failure';
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, reason, { openaiErrorType: 'api_error', openaiErrorCode: FAILED });
}

/** The adapter service's answer read back as the error an embedded discovery throws; no answer at all is a failure too. */
export function discoveryFailureFromGrpc(error: unknown, kind: string): Error {
  const decoded = decodeGrpcError(error);
  if (decoded.detail?.openaiErrorCode === UNSUPPORTED) return new DiscoveryUnsupportedError(kind);
  if (decoded.detail?.openaiErrorCode === FAILED) return new ModelDiscoveryError(decoded.message);
  return new ModelDiscoveryError(`the ${kind.slice(0, 64)} adapter service did not answer (gRPC status ${decoded.code})`);
}
