import { Fault } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { describeAttemptFailure, routerAttemptError } from './attempt-failure';

/** An error as grpc-js reports it when the other side ended the call: a status, no GatewayError detail. */
function bareGrpcError(code: GrpcStatus, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('describeAttemptFailure', () => {
  it.each([
    ['the adapter service cut the call (its drain): CANCELLED without detail', bareGrpcError(GrpcStatus.CANCELLED, 'Cancelled'), 'gateway_internal'],
    ['the adapter service unreachable', bareGrpcError(GrpcStatus.UNAVAILABLE, 'No connection established'), 'gateway_internal'],
    ['the router caller left (its own cancellation)', routerAttemptError('client_cancelled', 'client cancelled', 'openai'), 'client_cancelled'],
    [
      'the adapter saw its caller leave',
      gatewayGrpcError(GrpcStatus.CANCELLED, 'request cancelled by the client', { provider: 'openai', fault: Fault.FAULT_CLIENT_CANCELLED }),
      'client_cancelled',
    ],
    ['a provider answer', gatewayGrpcError(GrpcStatus.UNAVAILABLE, 'overloaded', { provider: 'openai', upstreamHttpStatus: 503, fault: Fault.FAULT_PROVIDER_HTTP }), 'provider_http'],
  ])('%s', (_, error, fault) => {
    expect(describeAttemptFailure(error).fault.fault).toBe(fault);
  });

  it('names a cut call as our adapter service, not the provider nor the client', () => {
    expect(describeAttemptFailure(bareGrpcError(GrpcStatus.CANCELLED, 'Cancelled')).cause).toMatch(/^gateway adapter service unavailable/);
  });
});
