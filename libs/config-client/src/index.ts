export * from './config-snapshot.follower';
