/** Longest client x-request-id kept (and echoed); longer ones are dropped, not cut. */
export const MAX_CORRELATION_ID_LENGTH = 128;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The client's x-request-id when it is short printable ASCII, else ''. */
export function correlationIdOf(given: string | string[] | undefined): string {
  if (typeof given !== 'string' || given.length === 0 || given.length > MAX_CORRELATION_ID_LENGTH) return '';
  return PRINTABLE_ASCII.test(given) ? given : '';
}
