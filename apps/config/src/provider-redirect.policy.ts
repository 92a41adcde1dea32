import { ConfigError } from '@ai-gateway/service-kit';

/** The error code the admin API answers 409 with (OpenAI shape) when a redirect was not confirmed. */
export const PROVIDER_REDIRECT_UNCONFIRMED = 'provider_redirect_unconfirmed';

/** Longest origin repeated in an error text (the base URL is admin input). */
const MAX_ORIGIN_IN_MESSAGE = 200;

export type RedirectDecision =
  /** Same scheme, host and port: the keys go where they went. */
  | { kind: 'same-origin' }
  /** A new origin the admin confirmed, or whose host the operator allow-listed. */
  | { kind: 'redirect'; via: 'confirmed' | 'allow-list'; from: string; to: string }
  | { kind: 'refused'; from: string; to: string };

/**
 * Changing an existing provider's base URL to another origin (scheme, host or port) silently
 * sends every key of that provider there with the next request. Config refuses such a change
 * unless the request confirms it (`confirmKeyRedirect`) or the new host is on the operator's
 * PROVIDER_HOST_ALLOWLIST (exact host names, `*.example.com` for subdomains of example.com).
 * Config cannot see key-vault's keys, and a check across the two services would race with a
 * key being added, so the rule holds for every existing provider, whether it holds keys now or not.
 */
export class ProviderRedirectPolicy {
  private constructor(
    private readonly exact: ReadonlySet<string>,
    private readonly suffixes: readonly string[],
  ) {}

  static parse(value: string, variable = 'PROVIDER_HOST_ALLOWLIST'): ProviderRedirectPolicy {
    const exact = new Set<string>();
    const suffixes: string[] = [];
    for (const raw of value.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)) {
      const wildcard = raw.startsWith('*.');
      const host = wildcard ? raw.slice(2) : raw;
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host) || host.length > 253) {
        throw new ConfigError(variable, `must be host names separated by commas (or *.domain), got "${raw.slice(0, 100)}"`);
      }
      if (wildcard) suffixes.push(`.${host}`);
      else exact.add(host);
    }
    return new ProviderRedirectPolicy(exact, suffixes);
  }

  allows(hostname: string): boolean {
    const host = hostname.toLowerCase();
    return this.exact.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix));
  }

  /** Both URLs were validated as http(s) URLs before. */
  decide(previousBaseUrl: string, nextBaseUrl: string, confirmed: boolean): RedirectDecision {
    const previous = new URL(previousBaseUrl);
    const next = new URL(nextBaseUrl);
    if (previous.origin === next.origin) return { kind: 'same-origin' };
    const from = previous.origin.slice(0, MAX_ORIGIN_IN_MESSAGE);
    const to = next.origin.slice(0, MAX_ORIGIN_IN_MESSAGE);
    if (confirmed) return { kind: 'redirect', via: 'confirmed', from, to };
    if (this.allows(next.hostname)) return { kind: 'redirect', via: 'allow-list', from, to };
    return { kind: 'refused', from, to };
  }
}
