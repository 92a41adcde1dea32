export * from './load-app';
export * from './gateway-stack';
