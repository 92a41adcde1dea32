import type { Observable } from 'rxjs';
import type { AdapterResponse } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';

/** The adapter's answer, or a DEADLINE_EXCEEDED after `timeoutMs`, or CANCELLED when the client leaves; both cancel the call. */
export function callUnary(source: Observable<AdapterResponse>, timeoutMs: number, signal: AbortSignal): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
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
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(gatewayGrpcError(GrpcStatus.DEADLINE_EXCEEDED, `no answer within ${timeoutMs} ms`, { retryable: true }));
    }, timeoutMs);
    const onAbort = (): void => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    };
    signal.addEventListener('abort', onAbort);
  });
}

/** Waits `ms`, unless the client leaves first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
