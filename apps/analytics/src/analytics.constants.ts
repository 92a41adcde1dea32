export const PROVIDER_HEALTH = Symbol('PROVIDER_HEALTH');
