import { Metadata } from '@grpc/grpc-js';
import { Fault, GatewayError, GoogleRpcStatus } from '@ai-gateway/proto';
import {
  decodeGrpcError,
  gatewayGrpcError,
  GrpcStatus,
  MAX_ERROR_FIELD_BYTES,
  MAX_ERROR_HEADER_VALUE_BYTES,
  MAX_ERROR_HEADERS,
  MAX_ERROR_HEADERS_TOTAL_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  truncateUtf8,
} from './grpc-errors';
import { providerGrpcError } from './provider-error.grpc';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** What a gRPC client receives for a shape the server sent. */
function received(shape: ReturnType<typeof gatewayGrpcError>): { code: number; details: string; metadata: Metadata; message: string } {
  return { code: shape.code, details: shape.details, metadata: shape.metadata, message: shape.message };
}

function packedStatus(shape: ReturnType<typeof gatewayGrpcError>): { message: string; detail: GatewayError; size: number } {
  const raw = shape.metadata.get('grpc-status-details-bin')[0] as Buffer;
  const status = GoogleRpcStatus.decode(raw);
  return { message: status.message, detail: GatewayError.decode(status.details[0].value), size: raw.length };
}

describe('truncateUtf8', () => {
  it('keeps a short text as it is', () => {
    expect(truncateUtf8('model not found', 1024)).toBe('model not found');
    expect(truncateUtf8('é'.repeat(512), 1024)).toBe('é'.repeat(512));
  });

  it('cuts a long text to the byte bound with a mark', () => {
    const out = truncateUtf8('x'.repeat(72_000), 1024);
    expect(bytes(out)).toBeLessThanOrEqual(1024);
    expect(out.endsWith('…')).toBe(true);
    expect(out.startsWith('xxxx')).toBe(true);
  });

  it('never splits a multi-byte character or a surrogate pair', () => {
    for (const unit of ['é', '日', '😊']) {
      const out = truncateUtf8(unit.repeat(5_000), 1000);
      expect(bytes(out)).toBeLessThanOrEqual(1000);
      expect(out.replace(/…$/, '')).toBe(unit.repeat([...out.replace(/…$/, '')].length));
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    }
  });
});

describe('gatewayGrpcError bounds', () => {
  it('cuts a 72,000-character message in details and in the packed google.rpc.Status', () => {
    const model = 'm'.repeat(72_000);
    const shape = gatewayGrpcError(GrpcStatus.NOT_FOUND, `The model '${model}' does not exist`, { openaiErrorCode: 'model_not_found' });
    expect(bytes(shape.details)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(bytes(shape.message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(shape.details.startsWith("The model 'mmm")).toBe(true);
    const packed = packedStatus(shape);
    expect(bytes(packed.message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(packed.detail.openaiErrorCode).toBe('model_not_found');
  });

  it('bounds every string field of GatewayError', () => {
    const long = 'f'.repeat(70_000);
    const { detail } = packedStatus(
      gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, 'bad', { provider: long, openaiErrorType: long, openaiErrorCode: long, param: long }),
    );
    for (const field of [detail.provider, detail.openaiErrorType, detail.openaiErrorCode, detail.param]) {
      expect(bytes(field)).toBeLessThanOrEqual(MAX_ERROR_FIELD_BYTES);
      expect(field.startsWith('fff')).toBe(true);
    }
  });

  it('bounds the headers list in count, in each value and in total', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ name: `x-ratelimit-${i}`, value: 'v'.repeat(i === 0 ? 10_000 : 100) }));
    const { detail, size } = packedStatus(gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'slow down', { headers: many }));
    expect(detail.headers.length).toBeLessThanOrEqual(MAX_ERROR_HEADERS);
    expect(detail.headers[0].name).toBe('x-ratelimit-0');
    expect(bytes(detail.headers[0].value)).toBeLessThanOrEqual(MAX_ERROR_HEADER_VALUE_BYTES);
    const total = detail.headers.reduce((sum, h) => sum + bytes(h.name) + bytes(h.value), 0);
    expect(total).toBeLessThanOrEqual(MAX_ERROR_HEADERS_TOTAL_BYTES);
    expect(size).toBeLessThan(8 * 1024);
  });

  it('drops a header whose name is too long instead of renaming it', () => {
    const { detail } = packedStatus(
      gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'x', { headers: [{ name: 'n'.repeat(1000), value: '1' }, { name: 'retry-after', value: '2' }] }),
    );
    expect(detail.headers).toEqual([{ name: 'retry-after', value: '2' }]);
  });

  it('keeps every trailer of the worst case far below the HTTP/2 header-list limit', () => {
    const huge = '日'.repeat(100_000);
    const shape = gatewayGrpcError(GrpcStatus.UNAVAILABLE, huge, {
      provider: huge,
      openaiErrorType: huge,
      openaiErrorCode: huge,
      param: huge,
      headers: Array.from({ length: 100 }, (_, i) => ({ name: `h${i}`, value: huge })),
    });
    const details = (shape.metadata.get('grpc-status-details-bin')[0] as Buffer).length;
    // grpc-message is percent-encoded (≤ 3 bytes per byte), the details trailer base64 (4/3).
    expect(encodeURIComponent(shape.details).length + Math.ceil((details * 4) / 3)).toBeLessThan(16 * 1024);
  });

  it('decodes what it packed, fault included, and bounds a peer’s unbounded message', () => {
    const shape = gatewayGrpcError(GrpcStatus.UNAVAILABLE, 'provider cut the stream', { fault: Fault.FAULT_PROVIDER_STREAM_CUT, provider: 'openai' });
    expect(decodeGrpcError(received(shape))).toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      message: 'provider cut the stream',
      detail: { fault: Fault.FAULT_PROVIDER_STREAM_CUT, provider: 'openai' },
    });
    const foreign = { code: GrpcStatus.INTERNAL, details: 'z'.repeat(65_000), metadata: new Metadata(), message: '' };
    expect(bytes(decodeGrpcError(foreign).message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
  });
});

describe('providerGrpcError', () => {
  it('marks a provider error answer FAULT_PROVIDER_HTTP with its status', () => {
    const shape = providerGrpcError('openai', {
      status: 429,
      upstreamStatus: 429,
      type: 'rate_limit_exceeded',
      code: 'rate_limit_exceeded',
      param: null,
      message: 'e'.repeat(65_000),
      retryable: true,
    });
    expect(shape.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(bytes(shape.details)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(packedStatus(shape).detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 429, retryable: true });
  });
});
