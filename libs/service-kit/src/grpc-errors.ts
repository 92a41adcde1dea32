import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { GatewayError, GoogleRpcStatus } from '@ai-gateway/proto';

const DETAILS_KEY = 'grpc-status-details-bin';
const GATEWAY_ERROR_TYPE_URL = 'type.googleapis.com/gateway.v1.GatewayError';

export { GrpcStatus };

export interface GatewayGrpcErrorShape {
  code: GrpcStatus;
  message: string;
  details: string;
  metadata: Metadata;
}

/** A gRPC error with a GatewayError packed into google.rpc.Status, the standard rich-error trailer. */
export function gatewayGrpcError(code: GrpcStatus, message: string, detail: Partial<GatewayError> = {}): GatewayGrpcErrorShape {
  const full: GatewayError = { ...GatewayError.decode(new Uint8Array(0)), ...detail };
  const statusMessage = GoogleRpcStatus.encode({
    code,
    message,
    details: [{ typeUrl: GATEWAY_ERROR_TYPE_URL, value: GatewayError.encode(full).finish() }],
  }).finish();
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(statusMessage));
  return { code, message, details: message, metadata };
}

/** The same, as an exception a NestJS gRPC handler can throw. */
export function gatewayRpcException(code: GrpcStatus, message: string, detail: Partial<GatewayError> = {}): RpcException {
  return new RpcException(gatewayGrpcError(code, message, detail));
}

export interface DecodedGrpcError {
  code: GrpcStatus;
  message: string;
  detail: GatewayError | undefined;
}

function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as ServiceError).code === 'number';
}

/** Reads the gRPC code, message and GatewayError detail of an error a client received. */
export function decodeGrpcError(error: unknown): DecodedGrpcError {
  if (!isServiceError(error)) {
    return { code: GrpcStatus.UNKNOWN, message: error instanceof Error ? error.message : String(error), detail: undefined };
  }
  const message = error.details || error.message;
  const raw = error.metadata?.get(DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return { code: error.code, message, detail: undefined };
  try {
    const rpcStatus = GoogleRpcStatus.decode(raw);
    const any = rpcStatus.details.find((d) => d.typeUrl === GATEWAY_ERROR_TYPE_URL);
    return { code: error.code, message: rpcStatus.message || message, detail: any ? GatewayError.decode(any.value) : undefined };
  } catch {
    return { code: error.code, message, detail: undefined };
  }
}
