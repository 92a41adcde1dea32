import { createVerify, randomBytes } from 'node:crypto';
import type { FakeVertexAccount } from './fake-gemini.types';

// Google's OAuth2 token endpoint for the JWT-bearer grant (RFC 7523;
// developers.google.com/identity/protocols/oauth2/service-account#httprest): a form with
// grant_type and assertion; answers {access_token, expires_in, token_type} or an OAuth error.

export interface TokenAnswer {
  status: number;
  body: object;
}

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export function exchangeAssertion(form: URLSearchParams, accounts: readonly FakeVertexAccount[], tokenUri: string, lifetimeSeconds: number): TokenAnswer & { token?: string } {
  const refuse = (description: string): TokenAnswer => ({ status: 400, body: { error: 'invalid_grant', error_description: description } });
  if (form.get('grant_type') !== GRANT_TYPE) return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
  const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
  if (!header || !claims || !signature) return refuse('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
  let decodedHeader: { alg?: string };
  let decodedClaims: { iss?: string; aud?: string; scope?: string; iat?: number; exp?: number };
  try {
    decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof decodedHeader;
    decodedClaims = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as typeof decodedClaims;
  } catch {
    return refuse('Invalid JWT: not JSON.');
  }
  if (decodedHeader.alg !== 'RS256') return refuse('Invalid JWT: alg must be RS256.');
  const account = accounts.find((candidate) => candidate.clientEmail === decodedClaims.iss);
  if (!account) return refuse('Invalid grant: account not found');
  const valid = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(account.publicKey, Buffer.from(signature, 'base64url'));
  if (!valid) return refuse('Invalid JWT Signature.');
  const now = Math.floor(Date.now() / 1000);
  if (decodedClaims.aud !== tokenUri) return refuse('Invalid JWT: audience is not the token endpoint.');
  if (!decodedClaims.scope?.split(' ').includes(SCOPE)) return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope.' } };
  if (typeof decodedClaims.exp !== 'number' || typeof decodedClaims.iat !== 'number' || decodedClaims.exp <= now || decodedClaims.exp - decodedClaims.iat > 3600) {
    return refuse('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
  }
  const token = `ya29.fake-${randomBytes(48).toString('base64url')}`;
  return { status: 200, token, body: { access_token: token, expires_in: lifetimeSeconds, token_type: 'Bearer' } };
}
