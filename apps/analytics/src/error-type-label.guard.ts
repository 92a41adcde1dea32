import { GATEWAY_ERROR_TYPES } from './gateway-error-types';

/**
 * Error types no gateway code emits, kept as label values in the order first seen. They come
 * from providers' `error.code`: one answering each 400 with a new code must not add a series per
 * answer to every family labelled `error_type`. 20 keeps the duration histogram at a few hundred
 * series per provider and model whatever a provider sends.
 */
export const MAX_PROVIDER_ERROR_TYPES = 20;
/** As long as a provider identifier may be (libs/provider-http `PROVIDER_IDENTIFIER`). */
const MAX_LENGTH = 100;
const OTHER = '_OTHER';

/** Keeps `error_type` label values bounded: the gateway's own types, the first few others, then `_OTHER`. */
export class ErrorTypeLabelGuard {
  private readonly firstSeen = new Set<string>();

  label(errorType: string): string {
    if (GATEWAY_ERROR_TYPES.has(errorType) || this.firstSeen.has(errorType)) return errorType;
    if (errorType === '' || errorType === OTHER || errorType.length > MAX_LENGTH || this.firstSeen.size >= MAX_PROVIDER_ERROR_TYPES) return OTHER;
    this.firstSeen.add(errorType);
    return errorType;
  }
}
