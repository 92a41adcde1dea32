import 'reflect-metadata';
import { createKmsBackend } from '@ai-gateway/kms';
import { createLogger, secretScrubber, type Logger } from '@ai-gateway/logging';
import { closeNats, connectNats, ensureAuditStream, KV_BUCKETS, openKvBucket, openRouterLeases } from '@ai-gateway/nats';
import { PROTO_FILES } from '@ai-gateway/proto';
import { type Environment, type RunningService, serveGrpcService, ServiceCallers, drainLimits } from '@ai-gateway/service-kit';
import { KeyVaultAppModule } from './app.module';
import { AuditTrail } from './audit.trail';
import { KeyChangeBroadcaster } from './key-change.broadcaster';
import { readKeyVaultEnv } from './key-vault.env';
import { KeyStore } from './key.store';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readKeyVaultEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: 'key-vault', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const kms = createKmsBackend({
    KMS_PROVIDER: config.KMS_PROVIDER,
    KMS_KEY_ID: config.KMS_KEY_ID,
    AWS_REGION: config.AWS_REGION,
    AWS_ENDPOINT_URL_KMS: config.AWS_ENDPOINT_URL_KMS,
    AWS_ACCESS_KEY_ID: config.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: config.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: config.AWS_SESSION_TOKEN,
    GATEWAY_DATA_DIR: config.GATEWAY_DATA_DIR,
  });
  secretScrubber.register(config.AWS_SECRET_ACCESS_KEY);
  // Refuse to start on a KMS key that cannot seal and open: the message says why.
  await kms.checkUsable();

  const nc = await connectNats(config.NATS_URL, 'key-vault');
  const kv = await openKvBucket(nc, KV_BUCKETS.providerKeys, config.KV_REPLICAS);
  await ensureAuditStream(nc, config.KV_REPLICAS);
  const store = new KeyStore(kv, kms, log);
  await store.start();
  const changes = new KeyChangeBroadcaster(nc, await openRouterLeases(nc, config.KV_REPLICAS), log);
  await changes.start();
  const audit = new AuditTrail(nc, log);

  return serveGrpcService({
    name: 'key-vault',
    module: KeyVaultAppModule.register({
      store,
      changes,
      audit,
      settings: { revocationTimeoutMs: config.REVOCATION_TIMEOUT_MS },
    }),
    servers: [
      { name: 'admin', port: config.ADMIN_GRPC_PORT, protoPath: PROTO_FILES.keyVaultAdmin },
      { name: 'resolve', port: config.RESOLVE_GRPC_PORT, protoPath: PROTO_FILES.keyVaultResolve },
    ],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    // A refused call to the vault (resolve above all) is an audit event, as key changes are (bounded: see serveGrpcService).
    onRefused: (refused) =>
      void audit
        .record({
          action: 'internal_call.refused',
          actor: refused.identity ?? refused.reason,
          method: refused.path,
          reason: refused.reason,
          suppressed: refused.suppressed,
        })
        .catch(() => undefined),
    release: async () => {
      store.stop();
      changes.stop();
      await closeNats(nc);
    },
  });
}
