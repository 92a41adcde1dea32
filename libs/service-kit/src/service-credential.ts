import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './env';
import { isServiceIdentity, SERVICE_IDENTITIES, type ServiceIdentity } from './service-access';

/** gRPC metadata key carrying the caller's service credential on every internal call. */
export const SERVICE_CREDENTIAL_HEADER = 'x-service-credential';

/** Shortest credential a service accepts to hold (32 characters: ~190 bits from base64url). */
export const MIN_SERVICE_CREDENTIAL_LENGTH = 32;
/** Longest credential a server hashes; anything longer is refused unread (bounded work per call). */
export const MAX_SERVICE_CREDENTIAL_LENGTH = 512;

const PRINTABLE = /^[\x21-\x7e]+$/;
const DIGEST_HEX = /^[0-9a-f]{64}$/;

/** A fresh credential for one service identity (dev stack, test stack). */
export function generateServiceCredential(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 (hex) of a credential: what callees are configured with, never the credential itself. */
export function serviceCredentialDigest(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

/** SERVICE_CALLERS for these credentials: `ingress:<sha256>,router:<sha256>`. */
export function serviceCallersValue(credentials: Partial<Record<ServiceIdentity, string | string[]>>): string {
  return Object.entries(credentials)
    .flatMap(([identity, value]) => (Array.isArray(value) ? value : value ? [value] : []).map((c) => `${identity}:${serviceCredentialDigest(c)}`))
    .join(',');
}

/** Checks a service's own SERVICE_CREDENTIAL at start (a bad one stops the service, naming it). */
export function checkServiceCredential(value: string, variable = 'SERVICE_CREDENTIAL'): string {
  if (value.length < MIN_SERVICE_CREDENTIAL_LENGTH) throw new ConfigError(variable, `must be at least ${MIN_SERVICE_CREDENTIAL_LENGTH} characters`);
  if (value.length > MAX_SERVICE_CREDENTIAL_LENGTH) throw new ConfigError(variable, `must be at most ${MAX_SERVICE_CREDENTIAL_LENGTH} characters`);
  if (!PRINTABLE.test(value)) throw new ConfigError(variable, 'must be printable ASCII without spaces');
  return value;
}

/**
 * The callers a gRPC server accepts: for each identity, the SHA-256 digests of the credentials
 * it may present (two during a rotation). Holding digests only, a compromised callee cannot
 * impersonate its callers elsewhere.
 */
export class ServiceCallers {
  private constructor(private readonly entries: ReadonlyArray<{ identity: ServiceIdentity; digest: Buffer }>) {}

  /** Parses SERVICE_CALLERS: `identity:sha256hex` pairs separated by commas; an identity may repeat. */
  static parse(value: string, variable = 'SERVICE_CALLERS'): ServiceCallers {
    const entries: Array<{ identity: ServiceIdentity; digest: Buffer }> = [];
    for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [identity, digest, extra] = pair.split(':');
      if (extra !== undefined || !identity || !digest) throw new ConfigError(variable, 'must be identity:sha256hex pairs separated by commas');
      if (!isServiceIdentity(identity)) throw new ConfigError(variable, `names an unknown caller "${identity.slice(0, 40)}" (known: ${SERVICE_IDENTITIES.join(', ')})`);
      if (!DIGEST_HEX.test(digest)) throw new ConfigError(variable, `digest of "${identity}" must be 64 lowercase hex characters (SHA-256)`);
      entries.push({ identity, digest: Buffer.from(digest, 'hex') });
    }
    if (entries.length === 0) throw new ConfigError(variable, 'names no caller');
    return new ServiceCallers(entries);
  }

  identities(): ServiceIdentity[] {
    return [...new Set(this.entries.map((e) => e.identity))];
  }

  /**
   * The identity whose credential this is, or undefined. Compares SHA-256 digests in constant
   * time against every entry (no early exit), so timing says nothing about the credential.
   */
  identify(presented: string | Buffer | undefined): ServiceIdentity | undefined {
    if (presented === undefined || presented.length === 0 || presented.length > MAX_SERVICE_CREDENTIAL_LENGTH) return undefined;
    const digest = createHash('sha256').update(presented).digest();
    let found: ServiceIdentity | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.identity;
    }
    return found;
  }
}
