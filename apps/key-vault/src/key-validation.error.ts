/** A provider id or key that key-vault refuses to store. */
export class KeyValidationError extends Error {}
