import { Metadata, ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import { mayCall, type ServiceIdentity } from './service-access';
import { SERVICE_CREDENTIAL_HEADER, type ServiceCallers } from './service-credential';

/** Probes (kubelet's native gRPC probe, ingress /readyz) carry no credential: health stays open. */
const OPEN_SERVICE_PREFIX = '/grpc.health.v1.Health/';

export interface RefusedCall {
  /** The gRPC method path, e.g. /gateway.v1.ConfigService/PutProvider. */
  path: string;
  code: GrpcStatus.UNAUTHENTICATED | GrpcStatus.PERMISSION_DENIED;
  /** The authenticated caller when the refusal is PERMISSION_DENIED; never the credential. */
  identity?: ServiceIdentity;
  /** no-credential | wrong-credential | not-allowed */
  reason: 'no-credential' | 'wrong-credential' | 'not-allowed';
}

/** The short texts callers see; they never repeat what was presented. */
export const UNAUTHENTICATED_MESSAGE = 'internal call without a valid service credential';
export const PERMISSION_DENIED_MESSAGE = 'service credential not allowed to call this method';

/** Decides one call from its path and the credential it presented (undefined: let it through). */
export function checkServiceCall(callers: ServiceCallers, path: string, presented: string | Buffer | undefined): RefusedCall | undefined {
  if (path.startsWith(OPEN_SERVICE_PREFIX)) return undefined;
  const identity = callers.identify(presented);
  if (!identity) {
    return { path, code: GrpcStatus.UNAUTHENTICATED, reason: presented === undefined || presented.length === 0 ? 'no-credential' : 'wrong-credential' };
  }
  if (!mayCall(identity, path)) return { path, code: GrpcStatus.PERMISSION_DENIED, identity, reason: 'not-allowed' };
  return undefined;
}

/**
 * Authenticates every call on a gateway gRPC server before any handler runs: the caller's
 * credential (metadata `x-service-credential`) must match a digest in SERVICE_CALLERS
 * (else UNAUTHENTICATED), and that identity must be allowed the method (SERVICE_ACCESS, else
 * PERMISSION_DENIED). The credential is removed from the metadata handlers see.
 */
export function serviceAuthInterceptor(callers: ServiceCallers, onRefused?: (refused: RefusedCall) => void): ServerInterceptor {
  return (descriptor, call) => {
    if (descriptor.path.startsWith(OPEN_SERVICE_PREFIX)) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const values = metadata.get(SERVICE_CREDENTIAL_HEADER);
        // Exactly one credential; several are refused rather than choosing among them.
        const refused: RefusedCall | undefined =
          values.length > 1
            ? { path: descriptor.path, code: GrpcStatus.UNAUTHENTICATED, reason: 'wrong-credential' }
            : checkServiceCall(callers, descriptor.path, values[0]);
        metadata.remove(SERVICE_CREDENTIAL_HEADER);
        if (!refused) return next(metadata);
        try {
          onRefused?.(refused);
        } catch {
          // a failing observer must not let the call through nor break the refusal
        }
        call.sendStatus({
          code: refused.code,
          details: refused.code === GrpcStatus.UNAUTHENTICATED ? UNAUTHENTICATED_MESSAGE : PERMISSION_DENIED_MESSAGE,
          metadata: new Metadata(),
        });
      })
      .build();
    return new ServerInterceptingCall(call, new ResponderBuilder().withStart((next) => next(listener)).build());
  };
}
