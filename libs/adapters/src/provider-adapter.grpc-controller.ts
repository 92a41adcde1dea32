import { Controller, Inject } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import {
  Fault,
  ProviderAdapterServiceControllerMethods,
  type AdapterModelList,
  type AdapterRequest,
  type AdapterResponse,
  type AdapterStreamEvent,
  type ProviderAdapterServiceController,
} from '@ai-gateway/proto';
import { whenWritable, type AdapterCall, type ProviderAdapter } from '@ai-gateway/provider-http';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { SERVED_ADAPTERS } from './adapter.constants';
import { discoverProviderModels, discoveryFailureToGrpc, discoveryTargetOf } from './model-discovery';

/**
 * Service mode: any ProviderAdapter served over ProviderAdapterService. The gRPC call's
 * 'cancelled' becomes the adapter's AbortSignal, the stream sink writes to the call and waits
 * for its 'drain', and a failure (a GatewayGrpcErrorShape) becomes the call's status as it is.
 */
@Controller()
@ProviderAdapterServiceControllerMethods()
export class ProviderAdapterGrpcController implements ProviderAdapterServiceController {
  constructor(@Inject(SERVED_ADAPTERS) private readonly adapters: ReadonlyMap<string, ProviderAdapter>) {}

  async chat(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return this.unary(request, metadata, call, (adapter, adapterCall) => adapter.chat(request, adapterCall));
  }

  async embeddings(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return this.unary(request, metadata, call, (adapter, adapterCall) => adapter.embeddings(request, adapterCall));
  }

  /** The provider's model list, asked from here: in service mode the router never calls a provider itself. */
  async discoverModels(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterModelList> {
    const target = request.target;
    if (!target) throw new RpcException(gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, 'the request names no provider target', { openaiErrorType: 'invalid_request_error' }));
    return this.unary(request, metadata, call, (_adapter, adapterCall) =>
      discoverProviderModels(target.kind, discoveryTargetOf(target), adapterCall.signal).catch((error: unknown) => Promise.reject(discoveryFailureToGrpc(error))),
    );
  }

  chatStream(request: AdapterRequest, metadata?: Metadata, call?: ServerWritableStream<unknown, unknown>): Observable<AdapterStreamEvent> {
    return new Observable<AdapterStreamEvent>((subscriber) => {
      const abort = new AbortController();
      const adapter = this.adapterFor(request);
      const sink = { push: (event: AdapterStreamEvent) => subscriber.next(event), whenWritable: (signal: AbortSignal) => whenWritable(call, signal) };
      adapter
        .chatStream(request, sink, { signal: abort.signal, metadata })
        .then(() => subscriber.complete())
        .catch((error: unknown) => subscriber.error(new RpcException(error as object)));
      return () => abort.abort();
    });
  }

  private async unary<T>(
    request: AdapterRequest,
    metadata: Metadata | undefined,
    call: ServerUnaryCall<unknown, unknown> | undefined,
    run: (adapter: ProviderAdapter, call: AdapterCall) => Promise<T>,
  ): Promise<T> {
    const abort = new AbortController();
    const onCancelled = (): void => abort.abort();
    call?.on('cancelled', onCancelled);
    try {
      return await run(this.adapterFor(request), { signal: abort.signal, metadata });
    } catch (error) {
      throw error instanceof RpcException ? error : new RpcException(error as object);
    } finally {
      call?.off('cancelled', onCancelled);
    }
  }

  /** The adapter of the request's kind; a service hosting one adapter serves whatever the router sends it. */
  private adapterFor(request: AdapterRequest): ProviderAdapter {
    const kind = request.target?.kind ?? '';
    const adapter = this.adapters.get(kind) ?? (new Set(this.adapters.values()).size === 1 ? this.adapters.values().next().value : undefined);
    if (adapter) return adapter;
    throw new RpcException(
      gatewayGrpcError(GrpcStatus.UNIMPLEMENTED, `this adapter service does not serve provider kind "${kind.slice(0, 64)}"`, {
        openaiErrorType: 'api_error',
        fault: Fault.FAULT_GATEWAY_INTERNAL,
      }),
    );
  }
}
