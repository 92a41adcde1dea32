import { generateServiceCredential, serviceCallersValue, type ServiceIdentity } from '@ai-gateway/service-kit';

export interface TestServiceCredentials {
  /** Each caller identity's own credential (SERVICE_CREDENTIAL of that process). */
  credentials: Record<ServiceIdentity, string>;
  /** SERVICE_CALLERS for every gRPC server: the digests of those credentials. */
  callers: string;
}

/** Fresh per-service credentials for a test: what the dev stack writes into .data/ and the chart into Secrets. */
export function testServiceCredentials(): TestServiceCredentials {
  const credentials: Record<ServiceIdentity, string> = { ingress: generateServiceCredential(), router: generateServiceCredential() };
  return { credentials, callers: serviceCallersValue(credentials) };
}
