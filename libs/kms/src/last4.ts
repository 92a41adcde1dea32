const MIN_LENGTH_TO_SHOW = 8;

/** The last four characters for masked display; empty when that would show half the secret or more. */
export function last4(secret: string): string {
  const characters = Array.from(secret);
  return characters.length < MIN_LENGTH_TO_SHOW ? '' : characters.slice(-4).join('');
}
