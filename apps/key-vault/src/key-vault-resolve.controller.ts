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
import { KeyChangeBroadcaster } from './key-change.broadcaster';
import { KeyStore } from './key.store';
import { KEY_CHANGES, KEY_STORE } from './key-vault.constants';

/**
 * Resolves provider keys for routers. Only the router's service credential reaches these
 * handlers: the gRPC bootstrap's interceptor authenticates every call (SERVICE_ACCESS).
 */
@Controller()
@KeyVaultResolveServiceControllerMethods()
export class KeyVaultResolveController implements KeyVaultResolveServiceController {
  constructor(
    @Inject(KEY_STORE) private readonly store: KeyStore,
    @Inject(KEY_CHANGES) private readonly changes: KeyChangeBroadcaster,
  ) {}

  async resolveKeys(request: ResolveKeysRequest): Promise<ResolveKeysResponse> {
    return { keys: await this.store.resolve(request.providers) };
  }

  watchKeyChanges(acks: Observable<KeyChangeAck>): Observable<KeyChange> {
    return new Observable<KeyChange>((subscriber) => {
      let disconnect: (() => void) | undefined;
      let replicaId: string | undefined;
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
      return () => {
        subscription.unsubscribe();
        disconnect?.();
      };
    });
  }
}
