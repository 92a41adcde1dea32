import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BedrockCredentials } from './bedrock-credentials';

/** SHA-256 through node:crypto (the AWS SDK's Node hash): hashing a 20 MB body in JS would hold the event loop for half a second. */
const SHA256 = Hash.bind(null, 'sha256');

/** SigV4's signing name for every Bedrock Runtime operation. */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

export interface UnsignedRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request's headers with its credentials: SigV4 (`authorization`, `x-amz-date`,
 * `x-amz-security-token`, through the AWS SDK's signer) for AWS credentials, or
 * `authorization: Bearer` for a Bedrock API key.
 */
export async function authorizedHeaders(request: UnsignedRequest, credentials: BedrockCredentials, region: string, now?: Date): Promise<Record<string, string>> {
  if (credentials.kind === 'api_key') return { ...request.headers, authorization: `Bearer ${credentials.token}` };
  const signer = new SignatureV4({
    service: BEDROCK_SIGNING_SERVICE,
    region,
    sha256: SHA256,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
  });
  const { url } = request;
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { ...request.headers, host: url.host },
      body: request.body,
    },
    now ? { signingDate: now } : {},
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (name.toLowerCase() !== 'host') headers[name] = value;
  }
  return headers;
}
