import type { AdapterResponse } from '@ai-gateway/proto';
import { routerAttemptError } from './attempt-failure';

/**
 * The adapter's answer, or a provider timeout after `timeoutMs`, or a client cancellation when
 * the client leaves; both abort the attempt's own signal, which `run` hands to the adapter
 * (in-process: the provider request stops; service mode: the gRPC call is cancelled).
 */
export function callUnary(
  run: (signal: AbortSignal) => Promise<AdapterResponse>,
  timeoutMs: number,
  signal: AbortSignal,
  providerId: string,
  limit: string,
): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    const attempt = new AbortController();
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!finish()) return;
      attempt.abort();
      reject(routerAttemptError('client_cancelled', 'client cancelled', providerId));
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      attempt.abort();
      reject(routerAttemptError('provider_timeout', `${providerId}: ${limit} (${timeoutMs} ms) passed without an answer`, providerId));
    }, timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    run(attempt.signal).then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}

/** Waits `ms`, unless the client leaves first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(routerAttemptError('client_cancelled', 'client cancelled', ''));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(routerAttemptError('client_cancelled', 'client cancelled', ''));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
