// key-vault on the `aws` KMS backend against a real KMS-compatible server (local-kms).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';
import {
  GATEWAY_V1_PACKAGE_NAME,
  KEY_VAULT_ADMIN_SERVICE_NAME,
  KEY_VAULT_RESOLVE_SERVICE_NAME,
  PROTO_FILES,
  type KeyVaultAdminServiceClient,
  type KeyVaultResolveServiceClient,
} from '@ai-gateway/proto';
import { createGrpcClient, type RunningService } from '@ai-gateway/service-kit';
import { startLocalKms, startNatsServer, testServiceCredentials, type LocalKms, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp } from './app';

const SERVICE = testServiceCredentials();
const SECRET = 'sk-ant-api03-awsBackedKeyDDDDDDDDDDDDDDDDDDDD';

describe('key-vault on AWS KMS (local-kms)', () => {
  let nats: NatsServerHandle;
  let kms: LocalKms;
  let dataDir: string;
  const envFor = (keyId: string): Record<string, string> => ({
    NATS_URL: nats.url,
    BIND_HOST: '127.0.0.1',
    ADMIN_GRPC_PORT: '0',
    RESOLVE_GRPC_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    SERVICE_CALLERS: SERVICE.callers,
    GATEWAY_DATA_DIR: dataDir,
    KMS_PROVIDER: 'aws',
    KMS_KEY_ID: keyId,
    AWS_REGION: kms.region,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALKMS',
    AWS_SECRET_ACCESS_KEY: 'local-kms-does-not-check-this',
  });

  beforeAll(async () => {
    nats = await startNatsServer();
    kms = await startLocalKms({ keys: [{}, {}] });
    dataDir = mkdtempSync(join(tmpdir(), 'kv-aws-'));
  });

  afterAll(async () => {
    await kms?.stop();
    await nats?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seals with a KMS data key, resolves for the router, and re-wraps to another KMS key', async () => {
    const app: RunningService = await createApp(envFor(kms.keyIds[0]));
    const adminProxy = createGrpcClient({ url: `127.0.0.1:${app.ports.admin}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultAdmin, credential: SERVICE.credentials.ingress });
    const resolveProxy = createGrpcClient({ url: `127.0.0.1:${app.ports.resolve}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultResolve, credential: SERVICE.credentials.router });
    const nc = await connect({ servers: nats.url });
    try {
      const admin = adminProxy.getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME);
      const resolve = resolveProxy.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME);

      const entry = await firstValueFrom(admin.addKey({ provider: 'anthropic', key: SECRET, name: 'aws', actor: 'test' }));
      expect(entry.last4).toBe('DDDD');
      const resolved = await firstValueFrom(resolve.resolveKeys({ providers: ['anthropic'] }));
      expect(resolved.keys.map((k) => k.secret)).toEqual([SECRET]);

      const kv = await new Kvm(nc).open('gateway_provider_keys');
      const before = (await kv.get(`keys.${entry.id}`))!.json<{ sealed: { kmsBackend: string; kmsKeyId: string } }>();
      expect(before.sealed.kmsBackend).toBe('aws');
      expect(before.sealed.kmsKeyId).toContain(kms.keyIds[0]);
      expect(JSON.stringify(before)).not.toContain(SECRET.slice(-16));

      const rewrapped = await firstValueFrom(admin.rewrapKeys({ toKmsKeyId: kms.keyIds[1], actor: 'test' }));
      expect(rewrapped.moved).toBe(1);
      const after = (await kv.get(`keys.${entry.id}`))!.json<{ sealed: { kmsKeyId: string; ciphertext: string } }>();
      expect(after.sealed.kmsKeyId).toContain(kms.keyIds[1]);
      const again = await firstValueFrom(resolve.resolveKeys({ providers: ['anthropic'] }));
      expect(again.keys.map((k) => k.secret)).toEqual([SECRET]);
    } finally {
      adminProxy.close();
      resolveProxy.close();
      await nc.close();
      await app.close();
    }
  });

  it('refuses to start when the KMS key is unusable, saying why', async () => {
    const missing = randomUUID();
    await expect(createApp(envFor(missing))).rejects.toThrow(new RegExp(missing));
  });
});
