import type { handleServerStreamingCall, handleUnaryCall, Server } from '@grpc/grpc-js';

/** A ts-proto message's codec (the generated `MessageFns`). */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/**
 * A gRPC method served by a handler registered straight on grpc-js: decoded by ts-proto, no
 * Nest pipeline per call (no call-object copy, no observable conversion, no exception filter).
 * The server's interceptors (authentication, metrics) and its drain still apply: they are the
 * grpc-js server's, not Nest's.
 */
export interface DirectGrpcMethod {
  /** `/gateway.v1.RouterService/ChatCompletion` */
  readonly path: string;
  readonly type: 'unary' | 'serverStream';
  readonly handler: unknown;
  readonly serialize: (value: never) => Buffer;
  readonly deserialize: (bytes: Buffer) => unknown;
}

function codecs<Req, Res>(request: MessageCodec<Req>, response: MessageCodec<Res>) {
  return {
    serialize: ((value: Res) => {
      const bytes = response.encode(value).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }) as (value: never) => Buffer,
    deserialize: (bytes: Buffer): Req => request.decode(bytes),
  };
}

export function directUnary<Req, Res>(path: string, request: MessageCodec<Req>, response: MessageCodec<Res>, handler: handleUnaryCall<Req, Res>): DirectGrpcMethod {
  return { path, type: 'unary', handler, ...codecs(request, response) };
}

export function directServerStream<Req, Res>(path: string, request: MessageCodec<Req>, response: MessageCodec<Res>, handler: handleServerStreamingCall<Req, Res>): DirectGrpcMethod {
  return { path, type: 'serverStream', handler, ...codecs(request, response) };
}

/**
 * Serves `methods` with their direct handlers on a server Nest already bound its controllers to:
 * whatever Nest registered on those paths (its handler, or grpc-js's UNIMPLEMENTED default for a
 * method the controller leaves out) is replaced.
 */
export function registerDirectMethods(server: Server, methods: readonly DirectGrpcMethod[]): void {
  for (const method of methods) {
    server.unregister(method.path);
    if (!server.register(method.path, method.handler as never, method.serialize, method.deserialize, method.type)) {
      throw new Error(`gRPC method ${method.path} could not be registered`);
    }
  }
}
