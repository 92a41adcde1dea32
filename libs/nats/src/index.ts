export * from './nats-connection';
export * from './kv-buckets';
export * from './usage-stream';
export * from './usage.publisher';
export * from './kv-mirror';
export * from './audit.publisher';
export * from './key-changes';
export * from './setup-retry';
