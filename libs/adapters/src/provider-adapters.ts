import { UpstreamClient, type LogUnexpected, type ProviderAdapter } from '@ai-gateway/provider-http';
import { withMessagesFormat } from '@ai-gateway/providers-anthropic';
import { ADAPTER_FACTORIES } from './adapter-kinds';

export interface ProviderAdapterOptions {
  /** The kinds to build; every registered kind when omitted. An unknown kind is refused. */
  kinds?: readonly string[];
  /** The largest unary answer read from a provider (UpstreamClient). */
  maxResponseBytes?: number;
  logUnexpected: LogUnexpected;
  /** AZURE_AUTHORITY_HOST: where kinds that sign in with Entra ID (azure-openai) get tokens; unset: the adapter's default. */
  authorityHost?: string;
}

/** The registered kinds, in registry order. */
export function registeredAdapterKinds(): string[] {
  return Object.keys(ADAPTER_FACTORIES);
}

export class UnknownAdapterKindError extends Error {
  constructor(readonly kind: string) {
    super(`no adapter is registered for provider kind "${kind}" (registered: ${registeredAdapterKinds().join(', ')})`);
    this.name = 'UnknownAdapterKindError';
  }
}

/** One adapter per kind asked for, keyed by every kind it serves; each with its own connection pool. */
export function createProviderAdapters(options: ProviderAdapterOptions): Map<string, ProviderAdapter> {
  const wanted = new Set(options.kinds ?? registeredAdapterKinds());
  const adapters = new Map<string, ProviderAdapter>();
  for (const kind of wanted) {
    if (adapters.has(kind)) continue;
    const factory = Object.hasOwn(ADAPTER_FACTORIES, kind) ? ADAPTER_FACTORIES[kind] : undefined;
    if (!factory) throw new UnknownAdapterKindError(kind);
    // Every kind answers Anthropic Messages requests too: natively, or through the one translating decorator.
    const adapter = withMessagesFormat(
      factory({ upstream: new UpstreamClient({ maxResponseBytes: options.maxResponseBytes }), logUnexpected: options.logUnexpected, authorityHost: options.authorityHost }),
      options.logUnexpected,
    );
    adapters.set(kind, adapter);
    // An adapter serving several kinds (gemini and vertex) is built once for all the wanted ones.
    for (const served of adapter.kinds) if (wanted.has(served) && !adapters.has(served)) adapters.set(served, adapter);
  }
  return adapters;
}

/** Closes each adapter once, however many kinds it serves. */
export async function closeProviderAdapters(adapters: Iterable<ProviderAdapter>): Promise<void> {
  await Promise.all([...new Set(adapters)].map((adapter) => adapter.close()));
}
