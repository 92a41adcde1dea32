import { firstValueFrom, timeout, type Observable } from 'rxjs';
import type { KeyState, ListKeyStatesResponse } from '@ai-gateway/proto';

/** How long the key listing waits for the router's key states before listing without them. */
const KEY_STATES_WAIT_MS = 2_000;

/** A key's pool state in the admin listing (`status`, and since when or until when). */
export interface KeyPoolFields {
  status: 'ok' | 'cooling' | 'failing';
  coolingUntil?: string;
  failingSince?: string;
  failingStatus?: number;
  lastRateLimitedAt?: string;
}

/**
 * The router's view of each key (a 429 cooling it, a 401/403 failing it), by key id. The state
 * lives in the router replica that answers (each replica learns from its own requests); when
 * no router answers in time the listing goes on without it.
 */
export async function keyPoolStates(listKeyStates: () => Observable<ListKeyStatesResponse>): Promise<Map<string, KeyPoolFields>> {
  try {
    const response = await firstValueFrom(listKeyStates().pipe(timeout(KEY_STATES_WAIT_MS)));
    return new Map(response.keys.map((state) => [state.keyId, poolFields(state)]));
  } catch {
    return new Map();
  }
}

function poolFields(state: KeyState): KeyPoolFields {
  const status = state.status === 'cooling' || state.status === 'failing' ? state.status : 'ok';
  const fields: KeyPoolFields = { status };
  if (status === 'cooling' && state.coolingUntilUnixMs > 0) fields.coolingUntil = isoOf(state.coolingUntilUnixMs);
  if (status === 'failing') {
    if (state.failingSinceUnixMs > 0) fields.failingSince = isoOf(state.failingSinceUnixMs);
    if (state.failingStatus > 0) fields.failingStatus = state.failingStatus;
  }
  if (state.lastRateLimitedUnixMs > 0) fields.lastRateLimitedAt = isoOf(state.lastRateLimitedUnixMs);
  return fields;
}

function isoOf(unixMs: number): string {
  return new Date(unixMs).toISOString();
}
