import type { EventEmitter } from 'node:events';

/** The part of a server-streaming gRPC call (a Writable) that says whether it can take more. */
export type StreamingCall = Pick<EventEmitter, 'once' | 'off'> & { readonly writableNeedDrain?: boolean };

/**
 * Resolves once the call's send buffer is below its high-water mark again ('drain'), the call
 * closed, or the attempt ended; undefined when it can take more now. The relay awaits it before
 * reading the provider's next piece, so a slow reader (router, ingress, client) slows the read
 * from the provider instead of making the adapter buffer the whole answer.
 */
export function whenWritable(call: StreamingCall | undefined, signal: AbortSignal): Promise<void> | undefined {
  if (!call?.writableNeedDrain || signal.aborted) return undefined;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      call.off('cancelled', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    call.once('close', done);
    call.once('cancelled', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
