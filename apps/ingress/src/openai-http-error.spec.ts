import { Metadata } from '@grpc/grpc-js';
import { gatewayGrpcError, GrpcStatus, PERMISSION_DENIED_MESSAGE, UNAUTHENTICATED_MESSAGE } from '@ai-gateway/service-kit';
import { httpErrorFromGrpc } from './openai-http-error';

const serviceError = (code: GrpcStatus, details: string, metadata = new Metadata()) => Object.assign(new Error(details), { code, details, metadata });

describe('httpErrorFromGrpc', () => {
  it("turns an internal service refusing ingress's own credential into 502, never the client's 401/403", () => {
    for (const [code, details] of [
      [GrpcStatus.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE],
      [GrpcStatus.PERMISSION_DENIED, PERMISSION_DENIED_MESSAGE],
    ] as const) {
      const error = httpErrorFromGrpc(serviceError(code, details));
      expect(error.status).toBe(502);
      expect(error.body.error).toMatchObject({ type: 'api_error', code: 'gateway_misconfigured' });
    }
  });

  it("keeps a provider's 401 (it carries a GatewayError) a 401", () => {
    const shape = gatewayGrpcError(GrpcStatus.UNAUTHENTICATED, 'Incorrect API key provided', { provider: 'openai', upstreamHttpStatus: 401 });
    expect(httpErrorFromGrpc(serviceError(shape.code, shape.message, shape.metadata)).status).toBe(401);
  });
});
