/** The longest model name the gateway passes on (a client's may be as long: ingress's edge limit). */
const MAX_MODEL_NAME_LENGTH = 256;
/** Printable ASCII only: a name becomes a response header (which Node refuses past Latin-1, and which a CR/LF would break), a label, an event field. */
const MODEL_NAME = /^[\x20-\x7e]+$/;

/**
 * The model a provider said it answered with, as far as the gateway passes it on: its text, so a
 * name too long (a 2 MB one made the usage event too large for NATS) or holding anything but printable
 * ASCII (a CR/LF, or a character Node refuses in the `x-gateway-model` header) is replaced by the model the gateway asked for.
 */
export function reportedModel(reported: string | undefined, asked: string): string {
  return reported && reported.length <= MAX_MODEL_NAME_LENGTH && MODEL_NAME.test(reported) ? reported : asked;
}
