export * from './json-body.guard';
