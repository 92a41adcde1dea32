import type { Server } from '@grpc/grpc-js';

/**
 * nghttp2's flood protection ends a whole HTTP/2 session once a peer has sent 1,000 stream
 * resets and keeps sending more than 33 a second (the "rapid reset" defence). Every internal
 * server's callers are authenticated gateway services, and ingress cancels one router call per
 * client that leaves: at a few hundred departures a second, the default would tear down the
 * one session all requests share. These limits keep the defence against a broken peer while
 * never tripping on cancellations (Node's http2 `streamResetBurst` / `streamResetRate`).
 */
export const INTERNAL_STREAM_RESET_BURST = 100_000;
export const INTERNAL_STREAM_RESET_RATE_PER_SECOND = 10_000;

/**
 * grpc-js passes only some options to `http2.createServer`; it builds them once in the
 * constructor, so the reset limits are added to that object before the server binds.
 */
export function allowInternalStreamResets(server: Server): void {
  const options = (server as unknown as { commonServerOptions?: Record<string, unknown> }).commonServerOptions;
  if (!options) throw new Error('grpc-js no longer exposes its http2 server options: the stream reset limits cannot be set');
  options.streamResetBurst = INTERNAL_STREAM_RESET_BURST;
  options.streamResetRate = INTERNAL_STREAM_RESET_RATE_PER_SECOND;
}
