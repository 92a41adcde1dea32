/** JetStream's error code for a compare-and-set write whose expected last revision no longer holds. */
export const WRONG_LAST_SEQUENCE = 10071;

/** JetStream refused a compare-and-set write: the key moved on (another writer) since the revision read. */
export function isKvWriteConflict(error: unknown): boolean {
  const code = (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
  return code === WRONG_LAST_SEQUENCE || (error instanceof Error && /wrong last sequence/i.test(error.message));
}
