export * from './sse-event.decoder';
