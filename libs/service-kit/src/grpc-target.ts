// Where a gRPC client connects: one service address, or the replicas of a service, spread by
// round robin. In a cluster the replicas come from DNS (`dns:///router-headless:50051`, a headless
// Service); elsewhere from a list of addresses (`127.0.0.1:50051,127.0.0.1:50061`).

const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;
const IPV4_PORT = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;
const IPV6_PORT = /^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export interface GrpcTarget {
  /** The channel target grpc-js resolves. */
  readonly target: string;
  /** Several replicas behind it: calls are spread with round_robin. */
  readonly balanced: boolean;
}

/** Why an address setting is not usable, or undefined when it is. */
export function grpcAddressProblem(value: string): string | undefined {
  if (value.startsWith('dns:///')) {
    return HOST_PORT.test(value.slice('dns:///'.length)) ? undefined : `must be dns:///host:port, got "${value}"`;
  }
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length === 1) return HOST_PORT.test(parts[0]) ? undefined : `must be host:port, got "${value}"`;
  const allV4 = parts.every((part) => IPV4_PORT.test(part));
  const allV6 = parts.every((part) => IPV6_PORT.test(part));
  if (!allV4 && !allV6) {
    return `a list of replicas must be IP addresses of one family (ip:port,ip:port), got "${value}"; for host names use dns:///host:port`;
  }
  return undefined;
}

export function grpcTarget(value: string): GrpcTarget {
  if (value.startsWith('dns:///')) return { target: value, balanced: true };
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length === 1) return { target: parts[0], balanced: false };
  const scheme = IPV6_PORT.test(parts[0]) ? 'ipv6' : 'ipv4';
  return { target: `${scheme}:${parts.join(',')}`, balanced: true };
}

/**
 * The service config of a balanced channel: round robin over the ready replicas (a stopped or
 * draining one is left out as soon as its connection goes), and, when asked, one transparent
 * retry of a call refused with UNAVAILABLE before any answer came back (a replica that went away
 * between the pick and the call) — only for calls the caller declares safe to send again.
 */
export function balancedServiceConfig(retryUnavailable: { service: string } | undefined): string {
  return JSON.stringify({
    loadBalancingConfig: [{ round_robin: {} }],
    ...(retryUnavailable
      ? {
          methodConfig: [
            {
              name: [{ service: retryUnavailable.service }],
              retryPolicy: { maxAttempts: 2, initialBackoff: '0.05s', maxBackoff: '0.2s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
            },
          ],
        }
      : {}),
  });
}
