export * from './telemetry';
export * from './trace-context';
