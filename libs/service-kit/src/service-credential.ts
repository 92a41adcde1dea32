/** gRPC metadata key carrying the router's service credential to key-vault's resolve service. */
export const SERVICE_CREDENTIAL_HEADER = 'x-service-credential';
