import type { ServerWritableStream } from '@grpc/grpc-js';

type WritableCall<T> = Pick<ServerWritableStream<unknown, T>, 'write' | 'end' | 'emit' | 'on' | 'off'>;

/**
 * Writes a server stream's messages in order: straight to the call while it takes them, queued
 * from the first write that asks to wait until its 'drain'; the end (or the error status) goes
 * out once the queue is written. What the queue may hold is bounded by the caller (UnreadBacklog).
 */
export class GrpcStreamWriter<T> {
  private readonly queue: T[] = [];
  private writing = true;
  private ending: { error?: object } | undefined;
  private ended = false;

  constructor(private readonly call: WritableCall<T>) {
    this.onDrain = this.onDrain.bind(this);
    call.on('drain', this.onDrain);
  }

  write(message: T): void {
    if (this.ending) return;
    if (this.writing) this.writing = this.call.write(message);
    else this.queue.push(message);
  }

  /** Ends the stream, with an error status when `error` is given. */
  end(error?: object): void {
    if (this.ending) return;
    this.ending = { error };
    if (this.queue.length === 0) this.finish();
  }

  /** The caller is gone: nothing more is written. */
  abandon(): void {
    this.ending ??= {};
    this.queue.length = 0;
    this.ended = true;
    this.call.off('drain', this.onDrain);
  }

  private onDrain(): void {
    this.writing = true;
    while (this.queue.length > 0 && this.writing) this.writing = this.call.write(this.queue.shift() as T);
    if (this.queue.length === 0 && this.ending) this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.off('drain', this.onDrain);
    if (this.ending?.error) this.call.emit('error', this.ending.error);
    else this.call.end();
  }
}
