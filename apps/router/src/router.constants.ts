export const CONFIG_WATCHER = Symbol('CONFIG_WATCHER');
export const KEYS_CACHE = Symbol('KEYS_CACHE');
