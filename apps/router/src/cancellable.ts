import type { Observable } from 'rxjs';
import type { AdapterResponse } from '@ai-gateway/proto';
import { routerAttemptError } from './attempt-failure';

/** The adapter's answer, or a provider timeout after `timeoutMs`, or a client cancellation when the client leaves; both cancel the call. */
export function callUnary(source: Observable<AdapterResponse>, timeoutMs: number, signal: AbortSignal, providerId: string, limit: string): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(routerAttemptError('client_cancelled', 'client cancelled', providerId));
    };
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(routerAttemptError('provider_timeout', `${providerId}: ${limit} (${timeoutMs} ms) passed without an answer`, providerId));
    }, timeoutMs);
    const subscription = source.subscribe({
      next: (value) => {
        finish();
        resolve(value);
      },
      error: (error: unknown) => {
        finish();
        reject(error);
      },
    });
    if (signal.aborted) onAbort();
    else if (!settled) signal.addEventListener('abort', onAbort, { once: true });
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
