export const CONFIG_STORE = Symbol('CONFIG_STORE');
