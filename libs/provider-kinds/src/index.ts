export * from './provider-kind-fields';
