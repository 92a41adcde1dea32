/** The ProviderAdapters an adapter service serves, keyed by kind (Map<string, ProviderAdapter>). */
export const SERVED_ADAPTERS = Symbol('SERVED_ADAPTERS');
