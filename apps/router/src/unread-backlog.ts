import type { ServerWritableStream } from '@grpc/grpc-js';
import { Fault } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';

/**
 * Stream bytes the router may hold for one caller that stopped reading. Ingress pauses its
 * call while its client's socket is full, so HTTP/2 flow control stops the router's writes and
 * Nest queues what the provider keeps sending. 8 MiB is hundreds of times a normal answer's
 * chunks in flight, and bounds what a slow reader costs this process.
 */
export const MAX_UNREAD_STREAM_BYTES = 8 * 1024 * 1024;

type WritableCall = Pick<ServerWritableStream<unknown, unknown>, 'write'>;

/**
 * Chunk bytes produced for a call but not yet handed to its writer (queued by Nest while the
 * writer waits for 'drain'), counted by wrapping the call's `write`.
 */
export class UnreadBacklog {
  private produced = 0;
  private written = 0;
  private readonly observed: boolean;

  constructor(
    call: WritableCall | undefined,
    private readonly limit = MAX_UNREAD_STREAM_BYTES,
  ) {
    this.observed = call !== undefined;
    if (!call) return;
    const write = call.write.bind(call) as (...args: unknown[]) => boolean;
    (call as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      const chunk = (args[0] as { chunk?: Uint8Array } | undefined)?.chunk;
      if (chunk) this.written += chunk.byteLength;
      return write(...args);
    };
  }

  /** Adds a chunk about to be emitted; true when the caller's unread backlog is now over the limit. */
  add(chunkBytes: number): boolean {
    this.produced += chunkBytes;
    return this.observed && this.produced - this.written > this.limit;
  }
}

export function slowReaderError(): GatewayGrpcErrorShape {
  return gatewayGrpcError(
    GrpcStatus.RESOURCE_EXHAUSTED,
    `The stream was ended: its reader fell more than ${MAX_UNREAD_STREAM_BYTES / 1048576} MiB behind.`,
    { openaiErrorType: 'invalid_request_error', openaiErrorCode: 'client_too_slow', fault: Fault.FAULT_CLIENT_REQUEST },
  );
}
