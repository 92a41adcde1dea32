import type { ClientGrpcProxy } from '@nestjs/microservices';
import type { Observable, Subscription } from 'rxjs';
import {
  GATEWAY_V1_PACKAGE_NAME,
  PROTO_FILES,
  PROVIDER_ADAPTER_SERVICE_NAME,
  type AdapterModelList,
  type AdapterRequest,
  type AdapterResponse,
  type ProviderTarget,
  type ProviderAdapterServiceClient,
} from '@ai-gateway/proto';
import type { AdapterCall, AdapterStreamSink, ProviderAdapter } from '@ai-gateway/provider-http';
import { createGrpcClient } from '@ai-gateway/service-kit';
import { metadataWithContext } from '@ai-gateway/telemetry';
import type { Metadata } from '@grpc/grpc-js';
import { discoveryFailureFromGrpc } from './model-discovery';

/**
 * A provider kind served by its own adapter service (service mode): the same ProviderAdapter,
 * over a grpc-js client of ProviderAdapterService. The caller's abort cancels the gRPC call.
 * Failures reject with the gRPC error as grpc-js reports it — the adapter's GatewayError detail
 * when it answered, none when the service could not be reached (the router reads that as our
 * own adapter service down, FAULT_GATEWAY_INTERNAL).
 */
export class GrpcProviderAdapter implements ProviderAdapter {
  private readonly proxy: ClientGrpcProxy;
  private readonly client: ProviderAdapterServiceClient;

  constructor(
    readonly url: string,
    kind: string,
    credential: string,
  ) {
    this.kinds = [kind];
    this.proxy = createGrpcClient({ url, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.adapter, credential });
    this.client = this.proxy.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME);
  }

  readonly kinds: readonly string[];

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return firstAnswer(this.client.chat(request, metadataOf(call)), call.signal);
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return firstAnswer(this.client.embeddings(request, metadataOf(call)), call.signal);
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (call.signal.aborted) return reject(call.signal.reason);
      const held: { subscription?: Subscription } = {};
      const onAbort = (): void => {
        held.subscription?.unsubscribe();
        reject(call.signal.reason);
      };
      const settle = (): void => call.signal.removeEventListener('abort', onAbort);
      const subscription = (held.subscription = this.client.chatStream(request, metadataOf(call)).subscribe({
        next: (event) => sink.push(event),
        error: (error: unknown) => {
          settle();
          reject(error);
        },
        complete: () => {
          settle();
          resolve();
        },
      }));
      if (!subscription.closed) call.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The provider's model list as the adapter service asks it; failures read back as an embedded discovery throws them. */
  async discoverModels(target: ProviderTarget, signal: AbortSignal): Promise<AdapterModelList> {
    try {
      return await firstAnswer(this.client.discoverModels({ requestId: '', target, body: new Uint8Array(0), includeUsage: false, headers: [], timeoutMs: 0, clientModel: '' }), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw discoveryFailureFromGrpc(error, target.kind);
    }
  }

  async close(): Promise<void> {
    this.proxy.close();
  }
}

/** The trace context of the caller's attempt as gRPC metadata (built here: only service mode needs it). */
function metadataOf(call: AdapterCall): Metadata | undefined {
  return call.metadata ?? (call.context ? metadataWithContext(call.context) : undefined);
}

/** The unary answer; the caller's abort unsubscribes, which cancels the gRPC call. */
function firstAnswer<T>(source: Observable<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const held: { subscription?: Subscription } = {};
    const onAbort = (): void => {
      held.subscription?.unsubscribe();
      reject(signal.reason);
    };
    const settle = (): void => signal.removeEventListener('abort', onAbort);
    const subscription = (held.subscription = source.subscribe({
      next: (response) => {
        settle();
        resolve(response);
      },
      error: (error: unknown) => {
        settle();
        reject(error);
      },
    }));
    if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
  });
}
