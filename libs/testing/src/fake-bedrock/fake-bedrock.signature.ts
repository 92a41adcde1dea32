import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 through node:crypto, as the AWS SDK for Node signs. */
const SHA256 = Hash.bind(null, 'sha256');

export interface ReceivedRequest {
  method: string;
  /** The path and query exactly as sent (still URL-encoded). */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Why Bedrock refused the request (its 403 answers), or ok. */
export type SignatureVerdict =
  | { ok: true }
  | { ok: false; errorType: 'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException' | 'IncompleteSignatureException'; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** AWS refuses a signature whose date is further than this from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Checks a request's SigV4 signature the way AWS does: recomputes it with the AWS SDK's signer
 * from the known credentials, over the headers the request says it signed, and compares.
 */
export async function verifySigV4(request: ReceivedRequest, known: readonly Credentials[], region: string, service: string): Promise<SignatureVerdict> {
  const authorization = request.headers['authorization'];
  if (!authorization) return { ok: false, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = AUTHORIZATION.exec(authorization);
  const date = AMZ_DATE.exec(request.headers['x-amz-date'] ?? '');
  if (!match || !date) return { ok: false, errorType: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature, and X-Amz-Date.' };
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList] = match;
  const credentials = known.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!credentials) return { ok: false, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeRegion !== region || scopeService !== service || scopeDate !== date.slice(1, 4).join('')) {
    return { ok: false, errorType: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service '${service}'.` };
  }
  if (credentials.sessionToken !== undefined && request.headers['x-amz-security-token'] !== credentials.sessionToken) {
    return { ok: false, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex')) {
    return { ok: false, errorType: 'InvalidSignatureException', message: MISMATCH };
  }
  const signedNames = signedHeaderList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-date')) return { ok: false, errorType: 'InvalidSignatureException', message: MISMATCH };
  const [, year, month, day, hours, minutes, seconds] = date.map(Number);
  const signingDate = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, errorType: 'InvalidSignatureException', message: `Signature expired: ${request.headers['x-amz-date']} is outside the 15-minute window.` };
  }
  const expected = await new SignatureV4({ service, region, sha256: SHA256, credentials }).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: (request.headers['host'] ?? '').split(':')[0],
      path: request.url.split('?')[0],
      query: parseQuery(request.url),
      headers: Object.fromEntries(signedNames.map((name) => [name, request.headers[name] ?? ''])),
      body: request.body,
    },
    { signingDate },
  );
  return sameText(expected.headers['authorization'] ?? '', authorization) ? { ok: true } : { ok: false, errorType: 'InvalidSignatureException', message: MISMATCH };
}

function parseQuery(url: string): Record<string, string> {
  const query = url.split('?')[1];
  return query ? Object.fromEntries(new URLSearchParams(query)) : {};
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
