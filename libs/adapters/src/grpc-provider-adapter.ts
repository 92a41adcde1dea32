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
import { MODEL_DISCOVERY_TIMEOUT_MS, ModelDiscoveryError } from '@ai-gateway/providers-openai';
import { discoveryFailureFromGrpc } from './model-discovery';

/** How long the router waits for an adapter service's model list: the provider's own limit, plus the hop. */
export const ADAPTER_DISCOVERY_WAIT_MS = MODEL_DISCOVERY_TIMEOUT_MS + 2_000;

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

  /**
   * The provider's model list as the adapter service asks it; failures read back as an embedded
   * discovery throws them. An adapter service that does not answer within `waitMs` (hung, not
   * just down) is a failure too, and the call is cancelled.
   */
  async discoverModels(target: ProviderTarget, signal?: AbortSignal, waitMs = ADAPTER_DISCOVERY_WAIT_MS): Promise<AdapterModelList> {
    const wait = AbortSignal.timeout(waitMs);
    try {
      const request = { requestId: '', target, body: new Uint8Array(0), includeUsage: false, headers: [], timeoutMs: 0, clientModel: '' };
      return await firstAnswer(this.client.discoverModels(request), signal ? AbortSignal.any([signal, wait]) : wait);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (wait.aborted) throw new ModelDiscoveryError(`the ${target.kind.slice(0, 64)} adapter service did not answer within ${waitMs} ms`);
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
