import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { GatewayError, GoogleRpcStatus, type Header } from '@ai-gateway/proto';

const DETAILS_KEY = 'grpc-status-details-bin';
const GATEWAY_ERROR_TYPE_URL = 'type.googleapis.com/gateway.v1.GatewayError';

export { GrpcStatus };

// Bounds of everything an error carries in gRPC metadata. The message travels twice (the
// percent-encoded `grpc-message` header and, base64-encoded, inside `grpc-status-details-bin`)
// and both are HTTP/2 header fields: one header list over the peer's limit (Node's default
// maxHeaderListSize is 64 KiB) breaks the HTTP/2 session shared by every call on the
// connection, not just this call (issue 11: a 72,000-char model name echoed in NOT_FOUND froze
// every stream). With these bounds an error's trailers stay under ~12 KiB in the worst case
// (non-ASCII message ×3 percent-encoded, details ×4/3 base64), far below any peer's limit.

/** An error message: enough for a sentence and a provider's own short explanation. */
export const MAX_ERROR_MESSAGE_BYTES = 1024;
/** provider, openai_error_type, openai_error_code, param: identifiers, never prose. */
export const MAX_ERROR_FIELD_BYTES = 256;
/** retry_after_ms, an int64 on the wire: a provider's wait of 1e20 s would not encode (a day is what routing reads at most too). */
export const MAX_ERROR_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** Headers of a failing upstream answer (rate limits: Anthropic sends 12 plus the mapped x-ratelimit-* and retry-after). */
export const MAX_ERROR_HEADERS = 32;
export const MAX_ERROR_HEADER_NAME_BYTES = 64;
export const MAX_ERROR_HEADER_VALUE_BYTES = 256;
/** All header names and values together. */
export const MAX_ERROR_HEADERS_TOTAL_BYTES = 4096;

const TRUNCATION_MARK = '…';

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary, with '…' at the end
 * when cut. Linear in the kept length, whatever the input's length.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 units).
  if (text.length * 3 <= maxBytes) return text;
  const head = text.slice(0, maxBytes);
  if (Buffer.byteLength(head, 'utf8') <= maxBytes && head.length === text.length) return text;
  const budget = maxBytes - Buffer.byteLength(TRUNCATION_MARK, 'utf8');
  let bytes = 0;
  let end = 0;
  while (end < head.length) {
    const code = head.charCodeAt(end);
    const isPair = code >= 0xd800 && code <= 0xdbff && end + 1 < head.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : isPair ? 4 : 3;
    if (bytes + size > budget) break;
    bytes += size;
    end += isPair ? 2 : 1;
  }
  if (end === text.length) return text;
  return `${head.slice(0, end)}${TRUNCATION_MARK}`;
}

/** The headers an error may carry: at most MAX_ERROR_HEADERS, each and all together bounded; the rest dropped. */
export function boundedHeaders(headers: readonly Header[]): Header[] {
  const out: Header[] = [];
  let total = 0;
  for (const header of headers) {
    if (out.length >= MAX_ERROR_HEADERS) break;
    // A name cut short would be another header: drop it whole.
    if (Buffer.byteLength(header.name, 'utf8') > MAX_ERROR_HEADER_NAME_BYTES) continue;
    const value = truncateUtf8(header.value, MAX_ERROR_HEADER_VALUE_BYTES);
    const size = Buffer.byteLength(header.name, 'utf8') + Buffer.byteLength(value, 'utf8');
    if (total + size > MAX_ERROR_HEADERS_TOTAL_BYTES) break;
    total += size;
    out.push({ name: header.name, value });
  }
  return out;
}

/** A GatewayError whose every string, list and wait is within its bound. */
export function boundedGatewayError(detail: GatewayError): GatewayError {
  const wait = Number(detail.retryAfterMs);
  return {
    ...detail,
    retryAfterMs: Number.isFinite(wait) && wait > 0 ? Math.min(Math.ceil(wait), MAX_ERROR_RETRY_AFTER_MS) : 0,
    provider: truncateUtf8(detail.provider, MAX_ERROR_FIELD_BYTES),
    openaiErrorType: truncateUtf8(detail.openaiErrorType, MAX_ERROR_FIELD_BYTES),
    openaiErrorCode: truncateUtf8(detail.openaiErrorCode, MAX_ERROR_FIELD_BYTES),
    param: truncateUtf8(detail.param, MAX_ERROR_FIELD_BYTES),
    headers: boundedHeaders(detail.headers),
  };
}

export interface GatewayGrpcErrorShape {
  code: GrpcStatus;
  message: string;
  details: string;
  metadata: Metadata;
}

/**
 * A gRPC error with a GatewayError packed into google.rpc.Status, the standard rich-error
 * trailer. The message and every field are bounded here, whoever built them.
 */
export function gatewayGrpcError(code: GrpcStatus, message: string, detail: Partial<GatewayError> = {}): GatewayGrpcErrorShape {
  const full = boundedGatewayError({ ...GatewayError.decode(new Uint8Array(0)), ...detail });
  const bounded = truncateUtf8(message, MAX_ERROR_MESSAGE_BYTES);
  const statusMessage = GoogleRpcStatus.encode({
    code,
    message: bounded,
    details: [{ typeUrl: GATEWAY_ERROR_TYPE_URL, value: GatewayError.encode(full).finish() }],
  }).finish();
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(statusMessage));
  return { code, message: bounded, details: bounded, metadata };
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

/** An error a gRPC call ended with (a numeric status code), as opposed to one thrown by our own code. */
export function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as ServiceError).code === 'number';
}

/**
 * Reads the gRPC code, message and GatewayError detail of an error a client received. The
 * message is bounded again: a peer that does not use gatewayGrpcError must not make the
 * reader forward a huge text further.
 */
export function decodeGrpcError(error: unknown): DecodedGrpcError {
  if (!isServiceError(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return { code: GrpcStatus.UNKNOWN, message: truncateUtf8(text, MAX_ERROR_MESSAGE_BYTES), detail: undefined };
  }
  const message = truncateUtf8(error.details || error.message || '', MAX_ERROR_MESSAGE_BYTES);
  const raw = error.metadata?.get(DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return { code: error.code, message, detail: undefined };
  try {
    const rpcStatus = GoogleRpcStatus.decode(raw);
    const any = rpcStatus.details.find((d) => d.typeUrl === GATEWAY_ERROR_TYPE_URL);
    return {
      code: error.code,
      message: rpcStatus.message ? truncateUtf8(rpcStatus.message, MAX_ERROR_MESSAGE_BYTES) : message,
      detail: any ? boundedGatewayError(GatewayError.decode(any.value)) : undefined,
    };
  } catch {
    return { code: error.code, message, detail: undefined };
  }
}
