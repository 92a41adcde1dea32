import type { ProviderError } from '@ai-gateway/openai-api';
import type { EntraClientCredentials } from './azure-openai.credentials';

// Microsoft identity platform, OAuth 2.0 client credentials grant:
// POST {authorityHost}/{tenant}/oauth2/v2.0/token (form-encoded) →
// {"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"…"}, or an
// error {"error":"invalid_client","error_description":"AADSTS7000215: …","error_codes":[…],…}.

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The identity platform's base URL (AZURE_AUTHORITY_HOST, the Azure SDKs' name): a sovereign
 * cloud (login.microsoftonline.us, login.chinacloudapi.cn) or a test's fake. Client secrets are
 * sent there, so it must be https, or http only on loopback. Read once, at start: a bad value
 * stops the service with a message naming the variable.
 */
export function authorityHostOf(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return DEFAULT_AUTHORITY_HOST;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`AZURE_AUTHORITY_HOST is not a URL: "${value.slice(0, 100)}"`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure || url.username || url.password || url.search || url.hash) {
    throw new Error('AZURE_AUTHORITY_HOST must be an https URL without credentials, query or fragment (http only on loopback)');
  }
  return url.toString().replace(/\/+$/, '');
}

/** The scope of Azure OpenAI (Cognitive Services) tokens. */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** An access token longer than this is refused as malformed (real ones are 1-3 KB). */
const MAX_ACCESS_TOKEN_LENGTH = 16 * 1024;
/** Lifetimes outside [1 min, 1 day] are not what Entra issues; clamp so a bad answer cannot pin a token forever. */
const MIN_LIFETIME_S = 60;
const MAX_LIFETIME_S = 24 * 3600;

export interface EntraTokenRequest {
  url: string;
  body: string;
}

export interface EntraToken {
  accessToken: string;
  /** Seconds the token is valid from when it was issued. */
  expiresInSeconds: number;
}

export function entraTokenRequest(authorityHost: string, credentials: EntraClientCredentials): EntraTokenRequest {
  const host = authorityHost.replace(/\/+$/, '');
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    scope: COGNITIVE_SERVICES_SCOPE,
  }).toString();
  return { url: `${host}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`, body };
}

/** A 200 answer's token; undefined when it is not one (the caller reports a malformed answer). */
export function readEntraToken(text: string): EntraToken | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { access_token: accessToken, expires_in: expiresIn, token_type: tokenType } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '' || accessToken.length > MAX_ACCESS_TOKEN_LENGTH) return undefined;
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') return undefined;
  // Entra sends expires_in as a number; older endpoints sent it as a string.
  const seconds = Number(expiresIn);
  if (!Number.isFinite(seconds)) return undefined;
  return { accessToken, expiresInSeconds: Math.min(MAX_LIFETIME_S, Math.max(MIN_LIFETIME_S, Math.floor(seconds))) };
}

/**
 * The token endpoint refused or failed, as the provider's error. A refusal (4xx: wrong secret,
 * unknown client or tenant) is the provider key failing — status 401 for the router, which marks
 * the key and moves on; 429 and 5xx are the identity platform's trouble, retryable.
 */
export function entraTokenError(status: number, text: string): ProviderError {
  let code = 'entra_token_failed';
  let detail = '';
  try {
    const parsed = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') code = parsed.error;
    // The first line of error_description names the AADSTS code and reason; the rest is trace ids.
    if (typeof parsed.error_description === 'string') detail = parsed.error_description.split(/\r?\n/)[0].slice(0, 300);
  } catch {
    // not JSON: the status alone
  }
  const refused = status >= 400 && status < 500 && status !== 429 && status !== 408;
  const message = `Entra ID token request ${refused ? 'refused' : 'failed'} (HTTP ${status}${code ? `, ${code}` : ''})${detail ? `: ${detail}` : ''}`;
  if (refused) {
    return { status: 502, upstreamStatus: 401, type: 'authentication_error', code: 'entra_token_refused', param: null, message, retryable: false };
  }
  const upstreamStatus = status === 429 ? 429 : 503;
  return { status: 502, upstreamStatus, type: 'api_error', code: 'entra_token_unavailable', param: null, message, retryable: true };
}
