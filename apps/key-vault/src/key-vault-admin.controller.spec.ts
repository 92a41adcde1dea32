import { KmsError, KmsErrorCode } from '@ai-gateway/kms';
import { GrpcStatus } from '@ai-gateway/service-kit';
import type { RpcException } from '@nestjs/microservices';
import type { AuditTrail } from './audit.trail';
import type { KeyChangeBroadcaster } from './key-change.broadcaster';
import type { KeyStore } from './key.store';
import { KeyVaultAdminController } from './key-vault-admin.controller';

function controllerWhoseRewrapFailsWith(error: Error): KeyVaultAdminController {
  const store = { rewrapAll: () => Promise.reject(error) } as unknown as KeyStore;
  const audit = { record: () => Promise.resolve() } as unknown as AuditTrail;
  return new KeyVaultAdminController(store, {} as KeyChangeBroadcaster, audit, { revocationTimeoutMs: 1_000 } as never);
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: number; param?: string }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as RpcException | undefined;
  if (!error) throw new Error('expected the call to fail');
  return error.getError() as { code: number; param?: string };
}

describe('KeyVaultAdminController.rewrapKeys', () => {
  it.each([KmsErrorCode.Unsupported, KmsErrorCode.KeyNotFound, KmsErrorCode.KeyDisabled, KmsErrorCode.KeyUnsuitable])(
    'answers INVALID_ARGUMENT (400 at the edge) when KMS refuses the target key: %s',
    async (code) => {
      const controller = controllerWhoseRewrapFailsWith(new KmsError(code, 'KMS ReEncrypt with key "alias/nope" failed'));
      expect(await codeOf(controller.rewrapKeys({ toKmsKeyId: 'alias/nope', actor: 't' }))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    },
  );

  it('keeps an unreachable or failing KMS an outage (FAILED_PRECONDITION, 503 at the edge)', async () => {
    const controller = controllerWhoseRewrapFailsWith(new KmsError(KmsErrorCode.EndpointUnreachable, 'KMS endpoint unreachable'));
    expect(await codeOf(controller.rewrapKeys({ toKmsKeyId: 'alias/next', actor: 't' }))).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION });
  });
});
