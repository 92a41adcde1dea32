import { Controller, Inject } from '@nestjs/common';
import {
  KeyVaultAdminServiceControllerMethods,
  type AddKeyRequest,
  type DeleteKeyRequest,
  type DeleteKeyResponse,
  type KeyVaultAdminServiceController,
  type ListKeysResponse,
  type ProviderKeyEntry,
  type RewrapKeysRequest,
  type RewrapKeysResponse,
  type RotateKeyRequest,
} from '@ai-gateway/proto';
import { KmsError, KmsErrorCode } from '@ai-gateway/kms';
import { gatewayRpcException, GrpcStatus } from '@ai-gateway/service-kit';
import { AuditTrail } from './audit.trail';
import { KeyChangeBroadcaster, RevocationTimeoutError } from './key-change.broadcaster';
import { toEntry } from './key-record';
import { KEY_ID_PATTERN, KeyConflictError, KeyNotFoundError, KeyStore, KeyValidationError } from './key.store';
import { AUDIT_TRAIL, KEY_CHANGES, KEY_STORE, KEY_VAULT_SETTINGS, type KeyVaultSettings } from './key-vault.constants';

/** KMS refusals of a re-wrap that concern the target key the admin named. */
const REWRAP_TARGET_REFUSALS: ReadonlySet<string> = new Set([KmsErrorCode.KeyNotFound, KmsErrorCode.KeyDisabled, KmsErrorCode.KeyUnsuitable, KmsErrorCode.Unsupported]);

@Controller()
@KeyVaultAdminServiceControllerMethods()
export class KeyVaultAdminController implements KeyVaultAdminServiceController {
  constructor(
    @Inject(KEY_STORE) private readonly store: KeyStore,
    @Inject(KEY_CHANGES) private readonly changes: KeyChangeBroadcaster,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
    @Inject(KEY_VAULT_SETTINGS) private readonly settings: KeyVaultSettings,
  ) {}

  addKey(request: AddKeyRequest): Promise<ProviderKeyEntry> {
    return this.guard(async () => {
      // Stored, announced, then audited: an audit stream that cannot take the event must not stop
      // the announcement (the change is already stored) nor fail an action that took effect.
      const record = await this.store.add(request.provider, request.key, request.name);
      await this.changes.announceAddition({ provider: record.provider, keyId: record.id, version: record.version }, this.settings.revocationTimeoutMs);
      await this.audit.recordDone({ action: 'provider_key.added', keyId: record.id, provider: record.provider, actor: request.actor });
      return toEntry(record);
    });
  }

  listKeys(): ListKeysResponse {
    return { keys: this.store.list().map(toEntry) };
  }

  rotateKey(request: RotateKeyRequest): Promise<ProviderKeyEntry> {
    return this.guard(async () => {
      const record = await this.store.rotate(request.id, request.key);
      await this.changes.announce({ provider: record.provider, keyId: record.id, change: 'rotated', version: record.version }, this.settings.revocationTimeoutMs);
      await this.audit.recordDone({ action: 'provider_key.rotated', keyId: record.id, provider: record.provider, actor: request.actor });
      return toEntry(record);
    });
  }

  deleteKey(request: DeleteKeyRequest): Promise<DeleteKeyResponse> {
    return this.guard(async () => {
      const record = await this.store.delete(request.id).catch((error: unknown) => {
        if (error instanceof KeyNotFoundError && KEY_ID_PATTERN.test(request.id)) return undefined;
        throw error;
      });
      // Announced even when the key is already gone: a delete whose announcement was not confirmed
      // (its caller got an error) is completed by its retry. Without the record the provider is
      // unknown ('' ): routers drop the id wherever they hold it.
      const confirmed = await this.changes.announce({ provider: record?.provider ?? '', keyId: request.id, change: 'deleted', version: 0 }, this.settings.revocationTimeoutMs);
      if (!record) throw new KeyNotFoundError(request.id);
      await this.audit.recordDone({ action: 'provider_key.deleted', keyId: record.id, provider: record.provider, actor: request.actor });
      return { confirmedReplicas: confirmed };
    });
  }

  rewrapKeys(request: RewrapKeysRequest): Promise<RewrapKeysResponse> {
    return this.guard(async () => {
      if (!request.toKmsKeyId) throw new KeyValidationError('"toKmsKeyId" is required');
      const moved = await this.store.rewrapAll(request.toKmsKeyId).catch((error: unknown) => {
        // The admin named a key KMS cannot move to (unknown, disabled, unsuitable, or a backend
        // without key moves): the request's fault, not an outage.
        if (error instanceof KmsError && REWRAP_TARGET_REFUSALS.has(error.code)) {
          throw gatewayRpcException(GrpcStatus.INVALID_ARGUMENT, error.message, { openaiErrorType: 'invalid_request_error', openaiErrorCode: error.code, param: 'toKmsKeyId' });
        }
        throw error;
      });
      await this.audit.recordDone({ action: 'provider_key.rewrapped', actor: request.actor, keyId: `*:${request.toKmsKeyId}` });
      return { moved };
    });
  }

  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof KeyNotFoundError) {
        throw gatewayRpcException(GrpcStatus.NOT_FOUND, error.message, { openaiErrorType: 'not_found_error' });
      }
      if (error instanceof KeyValidationError) {
        throw gatewayRpcException(GrpcStatus.INVALID_ARGUMENT, error.message, { openaiErrorType: 'invalid_request_error' });
      }
      if (error instanceof KeyConflictError) {
        throw gatewayRpcException(GrpcStatus.ABORTED, error.message, { openaiErrorType: 'invalid_request_error', openaiErrorCode: 'key_changed_concurrently' });
      }
      if (error instanceof KmsError) {
        throw gatewayRpcException(GrpcStatus.FAILED_PRECONDITION, error.message, { openaiErrorType: 'server_error', openaiErrorCode: error.code });
      }
      if (error instanceof RevocationTimeoutError) {
        throw gatewayRpcException(GrpcStatus.DEADLINE_EXCEEDED, error.message, { openaiErrorType: 'server_error', openaiErrorCode: 'revocation_unconfirmed' });
      }
      throw error;
    }
  }
}
