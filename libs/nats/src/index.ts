export * from './nats-connection';
export * from './kv-buckets';
export * from './usage-stream';
