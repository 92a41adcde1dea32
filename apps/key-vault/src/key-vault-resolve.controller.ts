import { Controller, Inject } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import {
  KeyVaultResolveServiceControllerMethods,
  type KeyChange,
  type KeyVaultResolveServiceController,
  type ResolveKeysRequest,
  type ResolveKeysResponse,
} from '@ai-gateway/proto';
import { gatewayRpcException, GrpcStatus } from '@ai-gateway/service-kit';
import { KeyStore } from './key.store';
import { KEY_STORE } from './key-vault.constants';

/**
 * Resolves provider keys for routers. Only the router's service credential reaches these
 * handlers: the gRPC bootstrap's interceptor authenticates every call (SERVICE_ACCESS).
 * Key changes no longer travel over this service: they go through NATS (KeyChangeBroadcaster).
 */
@Controller()
@KeyVaultResolveServiceControllerMethods()
export class KeyVaultResolveController implements KeyVaultResolveServiceController {
  constructor(@Inject(KEY_STORE) private readonly store: KeyStore) {}

  async resolveKeys(request: ResolveKeysRequest): Promise<ResolveKeysResponse> {
    return { keys: await this.store.resolve(request.providers) };
  }

  /** Retired: key changes and acknowledgements travel through NATS (subject gateway.keys.changes.v1). */
  watchKeyChanges(): Observable<KeyChange> {
    return throwError(() =>
      gatewayRpcException(GrpcStatus.UNIMPLEMENTED, 'key changes are announced on NATS (gateway.keys.changes.v1), not over gRPC', {
        openaiErrorType: 'api_error',
      }),
    );
  }
}
