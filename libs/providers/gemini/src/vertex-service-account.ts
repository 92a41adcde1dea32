import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';

// Vertex AI authenticates with an OAuth2 access token minted from a service-account key (the
// JSON Google issues, kept in key-vault as the provider key): a JWT signed RS256 with the
// key's private_key is exchanged at the key's token_uri (RFC 7523, the "JWT bearer" grant;
// developers.google.com/identity/protocols/oauth2/service-account#httprest). Nothing here ever
// puts the key, any part of it, or the signed assertion into an error text.

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_LIFETIME_SECONDS = 3600;

export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
  tokenUri: string;
}

/** The service-account key is unusable; the message never quotes it. */
export class ServiceAccountError extends Error {
  constructor(reason: string) {
    super(`the Vertex service-account key ${reason}`);
    this.name = 'ServiceAccountError';
  }
}

/** Reads a service-account JSON key; throws ServiceAccountError naming what is missing, never what is there. */
export function parseServiceAccount(json: string): ServiceAccount {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ServiceAccountError('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ServiceAccountError('is not a JSON object');
  const { client_email: clientEmail, private_key: pem, private_key_id: privateKeyId, token_uri: tokenUri } = parsed as Record<string, unknown>;
  if (typeof clientEmail !== 'string' || clientEmail === '') throw new ServiceAccountError('has no client_email');
  if (typeof pem !== 'string' || pem === '') throw new ServiceAccountError('has no private_key');
  if (typeof tokenUri !== 'string' || !isAllowedTokenUri(tokenUri)) throw new ServiceAccountError('has no https token_uri');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ServiceAccountError('has a private_key that is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ServiceAccountError('has a private_key that is not an RSA key');
  return { clientEmail, privateKey, tokenUri, ...(typeof privateKeyId === 'string' && privateKeyId !== '' ? { privateKeyId } : {}) };
}

/** The signed JWT assertion the token endpoint exchanges for an access token. */
export function signedAssertion(account: ServiceAccount, nowMs: number = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) };
  const claims = { iss: account.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: account.tokenUri, iat, exp: iat + JWT_LIFETIME_SECONDS };
  const unsigned = `${base64url(header)}.${base64url(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(account.privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

/** https anywhere; plain http only to this machine (a test's token endpoint). */
function isAllowedTokenUri(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
