/**
 * Response model names a provider may add per requested model, besides the requested and routed
 * models' own names: the dated snapshot it serves (`gpt-4o` → `gpt-4o-2024-08-06`) and the next
 * one after an upgrade. A provider's series of one request model multiply by at most this many.
 */
export const MAX_RESPONSE_MODELS_PER_REQUEST = 4;
const MAX_LENGTH = 128;
const OTHER = '_OTHER';

/** Label values of the request, each already bounded. */
export interface ResponseModelContext {
  /** The configured provider id that answered. */
  provider: string;
  requestModel: string;
  /** The model the gateway sent upstream; '' when the request was not routed. */
  routedModel: string;
}

/**
 * Keeps `gen_ai_response_model` bounded apart from request models: the name is the provider's
 * text, so each provider and requested model gets its own few slots, and a provider answering
 * junk names fills only its own, never the request models' `ModelLabelGuard`.
 */
export class ResponseModelLabelGuard {
  private readonly slots = new Map<string, Set<string>>();

  label(responseModel: string, { provider, requestModel, routedModel }: ResponseModelContext): string {
    if (responseModel === '') return '';
    if (responseModel === requestModel || responseModel === routedModel) return responseModel;
    if (routedModel === '' || responseModel.length > MAX_LENGTH) return OTHER;
    const key = `${provider}\u0000${requestModel}`;
    let seen = this.slots.get(key);
    if (!seen) {
      seen = new Set();
      this.slots.set(key, seen);
    }
    if (seen.has(responseModel)) return responseModel;
    if (seen.size >= MAX_RESPONSE_MODELS_PER_REQUEST) return OTHER;
    seen.add(responseModel);
    return responseModel;
  }
}
