export * from './adapter-kinds';
export * from './provider-adapters';
export * from './grpc-provider-adapter';
export * from './adapter-service';
export * from './model-discovery';
