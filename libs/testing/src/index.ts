export * from './find-binary';
export * from './expect-eventually';
export * from './nats-server';
export * from './fake-openai';
