export * from './openapi-routes';
export * from './openapi-validator';
