export * from './backoff';
export * from './circuit-breaker';
export * from './failure-classification';
export * from './fallback-map';
export * from './fallback-validation';
export * from './pinned-model';
export * from './retry-after';
export * from './route-plan';
