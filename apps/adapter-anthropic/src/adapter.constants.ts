export const UPSTREAM_CLIENT = Symbol('UPSTREAM_CLIENT');

/** The attempt budget when the router sends none. */
export const DEFAULT_TIMEOUT_MS = 600_000;
