export const CONFIG_WATCHER = Symbol('CONFIG_WATCHER');
export const KEYS_CACHE = Symbol('KEYS_CACHE');
export const ROUTER_LOGGER = Symbol('ROUTER_LOGGER');
export const KEY_HEALTH = Symbol('KEY_HEALTH');
export const PROVIDER_STATS = Symbol('PROVIDER_STATS');
export const ADAPTERS = Symbol('ADAPTERS');
