export * from './upstream.client';
export * from './adapter-failure';
export * from './read-limited';
export * from './upstream-attempt';
export * from './upstream-span';
export * from './adapter-request';
export * from './retry-after';
export * from './grpc-usage';
