import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import { Observable } from 'rxjs';
import {
  KeyVaultResolveServiceControllerMethods,
  type KeyChange,
  type KeyChangeAck,
  type KeyVaultResolveServiceController,
  type ResolveKeysRequest,
  type ResolveKeysResponse,
} from '@ai-gateway/proto';
import { RpcException } from '@nestjs/microservices';
import { gatewayGrpcError, GrpcStatus, SERVICE_CREDENTIAL_HEADER, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { AuditTrail } from './audit.trail';
import { KeyChangeBroadcaster } from './key-change.broadcaster';
import { KeyStore } from './key.store';
import { AUDIT_TRAIL, KEY_CHANGES, KEY_STORE, KEY_VAULT_SETTINGS, type KeyVaultSettings } from './key-vault.constants';

@Controller()
@KeyVaultResolveServiceControllerMethods()
export class KeyVaultResolveController implements KeyVaultResolveServiceController {
  private readonly credential: Buffer;

  constructor(
    @Inject(KEY_STORE) private readonly store: KeyStore,
    @Inject(KEY_CHANGES) private readonly changes: KeyChangeBroadcaster,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
    @Inject(KEY_VAULT_SETTINGS) settings: KeyVaultSettings,
  ) {
    this.credential = Buffer.from(settings.serviceCredential);
  }

  async resolveKeys(request: ResolveKeysRequest, metadata?: Metadata): Promise<ResolveKeysResponse> {
    const refused = await this.authenticate(metadata);
    if (refused) throw new RpcException(refused);
    return { keys: await this.store.resolve(request.providers) };
  }

  watchKeyChanges(acks: Observable<KeyChangeAck>, metadata?: Metadata): Observable<KeyChange> {
    return new Observable<KeyChange>((subscriber) => {
      let disconnect: (() => void) | undefined;
      let replicaId: string | undefined;
      this.authenticate(metadata)
        .then((refused) => {
          if (refused) return subscriber.error(new RpcException(refused));
          const subscription = acks.subscribe({
            next: (ack) => {
              if (!replicaId) {
                replicaId = ack.replicaId || 'unnamed';
                disconnect = this.changes.connect(replicaId, (change) => subscriber.next(change));
                return;
              }
              this.changes.confirm(replicaId, ack.sequence);
            },
            error: () => subscriber.complete(),
            complete: () => subscriber.complete(),
          });
          subscriber.add(() => subscription.unsubscribe());
        })
        .catch((error: unknown) => subscriber.error(error));
      return () => disconnect?.();
    });
  }

  /** Undefined when the caller presented the router service credential, else the error to return. */
  private async authenticate(metadata: Metadata | undefined): Promise<GatewayGrpcErrorShape | undefined> {
    const presented = metadata?.get(SERVICE_CREDENTIAL_HEADER)[0];
    const given = Buffer.from(typeof presented === 'string' ? presented : '');
    if (given.length === this.credential.length && timingSafeEqual(given, this.credential)) return undefined;
    await this.audit.record({ action: 'resolve.refused', actor: given.length ? 'wrong-credential' : 'no-credential' }).catch(() => undefined);
    return gatewayGrpcError(GrpcStatus.UNAUTHENTICATED, 'resolve requires the router service credential', {
      openaiErrorType: 'authentication_error',
    });
  }
}

