export * from './build-dashboard';
