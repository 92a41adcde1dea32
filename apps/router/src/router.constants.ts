export const ROUTE_EXECUTOR = Symbol('ROUTE_EXECUTOR');
export const CONFIG_WATCHER = Symbol('CONFIG_WATCHER');
export const KEYS_CACHE = Symbol('KEYS_CACHE');
export const USAGE_PUBLISHER = Symbol('USAGE_PUBLISHER');
export const ROUTER_LOGGER = Symbol('ROUTER_LOGGER');
export const BODY_BUDGET = Symbol('BODY_BUDGET');
export const KEY_HEALTH = Symbol('KEY_HEALTH');
export const PROVIDER_STATS = Symbol('PROVIDER_STATS');
