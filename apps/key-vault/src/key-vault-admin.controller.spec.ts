import { KmsError, KmsErrorCode } from '@ai-gateway/kms';
import { GrpcStatus, httpStatusForGrpc } from '@ai-gateway/service-kit';
import type { RpcException } from '@nestjs/microservices';
import type { AuditTrail } from './audit.trail';
import type { KeyChangeBroadcaster } from './key-change.broadcaster';
import { KeyConflictError, KeyNotFoundError, type KeyStore } from './key.store';
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

describe('KeyVaultAdminController.rotateKey', () => {
  it('answers ABORTED (409 at the edge) when other writers kept changing the key through every attempt', async () => {
    const store = { rotate: () => Promise.reject(new KeyConflictError('pk_0123456789abcdef')) } as unknown as KeyStore;
    const controller = new KeyVaultAdminController(store, {} as KeyChangeBroadcaster, {} as AuditTrail, { revocationTimeoutMs: 1_000 } as never);
    const error = await codeOf(controller.rotateKey({ id: 'pk_0123456789abcdef', key: 'sk-proj-x0123456789abcdef', actor: 'admin' }));
    expect(error).toMatchObject({ code: GrpcStatus.ABORTED });
    expect(httpStatusForGrpc(error.code)).toBe(409);
  });
});

describe('KeyVaultAdminController.deleteKey', () => {
  /** The controller over a store holding one key (or none); `steps` is what it did, in order. */
  function controller(stored = true) {
    const steps: string[] = [];
    const announced: Array<{ provider: string; keyId: string; change: string }> = [];
    let held = stored;
    const store = {
      delete: (id: string) => {
        if (!held) return Promise.reject(new KeyNotFoundError(id));
        held = false;
        return Promise.resolve({ id, provider: 'openai' });
      },
    } as unknown as KeyStore;
    const changes = {
      announce: (change: { provider: string; keyId: string; change: string }) => {
        steps.push('announce');
        announced.push(change);
        return Promise.resolve(['router-0']);
      },
    } as unknown as KeyChangeBroadcaster;
    const audit = {
      recordDone: (event: { action: string }) => {
        steps.push(`audit ${event.action}`);
        return Promise.resolve();
      },
    } as unknown as AuditTrail;
    return { controller: new KeyVaultAdminController(store, changes, audit, { revocationTimeoutMs: 1_000 } as never), steps, announced };
  }

  it('announces the delete before auditing it, and answers the routers that confirmed', async () => {
    const t = controller();
    expect(await t.controller.deleteKey({ id: 'pk_0123456789abcdef', actor: 'admin' })).toEqual({ confirmedReplicas: ['router-0'] });
    expect(t.announced).toEqual([{ provider: 'openai', keyId: 'pk_0123456789abcdef', change: 'deleted', version: 0 }]);
    expect(t.steps).toEqual(['announce', 'audit provider_key.deleted']);
  });

  it('announces a delete of a key already gone (a retry after an unconfirmed announcement) to every router, then answers NOT_FOUND', async () => {
    const t = controller(false);
    expect(await codeOf(t.controller.deleteKey({ id: 'pk_0123456789abcdef', actor: 'admin' }))).toMatchObject({ code: GrpcStatus.NOT_FOUND });
    expect(t.announced).toEqual([{ provider: '', keyId: 'pk_0123456789abcdef', change: 'deleted', version: 0 }]);
    expect(t.steps).toEqual(['announce']);
  });

  it('announces nothing for an id that can name no key', async () => {
    const t = controller(false);
    expect(await codeOf(t.controller.deleteKey({ id: 'not a key id!', actor: 'admin' }))).toMatchObject({ code: GrpcStatus.NOT_FOUND });
    expect(t.announced).toEqual([]);
  });
});
