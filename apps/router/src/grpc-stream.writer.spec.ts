import { EventEmitter } from 'node:events';
import { GrpcStreamWriter } from './grpc-stream.writer';

/** A server-streaming call that takes `room` writes before asking to wait for 'drain'. */
class CallWithRoom extends EventEmitter {
  readonly written: string[] = [];
  readonly errors: unknown[] = [];
  endedAt: number | undefined;

  constructor(private room: number) {
    super();
    this.on('error', (error) => this.errors.push(error));
  }

  write(message: string): boolean {
    this.written.push(message);
    return --this.room > 0;
  }

  end(): void {
    this.endedAt = this.written.length;
  }

  drain(room: number): void {
    this.room = room;
    this.emit('drain');
  }
}

describe('GrpcStreamWriter', () => {
  it('writes straight through while the call takes them', () => {
    const call = new CallWithRoom(10);
    const writer = new GrpcStreamWriter<string>(call as never);
    writer.write('a');
    writer.write('b');
    writer.end();
    expect(call.written).toEqual(['a', 'b']);
    expect(call.endedAt).toBe(2);
  });

  it('queues from the write that asked to wait, in order, and ends only after the queue is written', () => {
    const call = new CallWithRoom(1);
    const writer = new GrpcStreamWriter<string>(call as never);
    for (const m of ['a', 'b', 'c', 'd']) writer.write(m);
    writer.end();
    expect(call.written).toEqual(['a']);
    expect(call.endedAt).toBeUndefined();
    call.drain(2);
    expect(call.written).toEqual(['a', 'b', 'c']);
    expect(call.endedAt).toBeUndefined();
    call.drain(5);
    expect(call.written).toEqual(['a', 'b', 'c', 'd']);
    expect(call.endedAt).toBe(4);
  });

  it('sends an error status after what was queued, and nothing after the end', () => {
    const call = new CallWithRoom(1);
    const writer = new GrpcStreamWriter<string>(call as never);
    writer.write('a');
    writer.write('b');
    const failure = { code: 14, details: 'provider failed' };
    writer.end(failure);
    writer.write('late');
    expect(call.errors).toEqual([]);
    call.drain(5);
    expect(call.written).toEqual(['a', 'b']);
    expect(call.errors).toEqual([failure]);
    expect(call.endedAt).toBeUndefined();
  });

  it('writes nothing more once the caller is gone', () => {
    const call = new CallWithRoom(1);
    const writer = new GrpcStreamWriter<string>(call as never);
    writer.write('a');
    writer.write('b');
    writer.abandon();
    call.drain(5);
    writer.end();
    expect(call.written).toEqual(['a']);
    expect(call.endedAt).toBeUndefined();
  });
});
