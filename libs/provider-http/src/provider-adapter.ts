import type { AdapterRequest, AdapterResponse, AdapterStreamEvent, RequestFormat } from '@ai-gateway/proto';
import type { Metadata } from '@grpc/grpc-js';
import type { Context } from '@ai-gateway/telemetry';

/**
 * One provider kind's translation and upstream call, the unit the router hosts in-process
 * (embedded mode, the default) and an adapter service serves over gRPC (service mode). The
 * same object answers in both modes; only the transport around it differs.
 *
 * Failures reject with a GatewayGrpcErrorShape (`gatewayGrpcError` / `adapterGrpcError`):
 * a gRPC status code, a bounded message and a GatewayError detail carrying the fault. It is
 * what a gRPC client receives from the adapter service too, so the router reads a failure the
 * same way in both modes (`decodeGrpcError`).
 */
export interface ProviderAdapter {
  /** The provider kinds this adapter serves (ProviderTarget.kind), e.g. ['gemini', 'vertex']. */
  readonly kinds: readonly string[];
  /**
   * Wire formats besides chat completions this adapter answers itself (AdapterRequest.format);
   * the registry wraps an adapter without one in the decorator that translates it.
   */
  readonly nativeFormats?: readonly RequestFormat[];
  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse>;
  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse>;
  /**
   * Pushes the stream's events to `sink` in order — one `start` once the provider accepted,
   * then `chunk` / `responseModel` / `usage` — and resolves when the stream ended whole.
   * Rejects with the failure (before `start`: the router may fall back; after: an in-band error).
   */
  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void>;
  /** Releases connection pools and token caches (shutdown). */
  close(): Promise<void>;
}

/** The caller's side of one adapter call. */
export interface AdapterCall {
  /** Aborted when the caller gives up (its client left, its deadline passed): the upstream request must stop within a second. */
  readonly signal: AbortSignal;
  /** Trace context of the caller's attempt as gRPC metadata (what an adapter service receives). */
  readonly metadata?: Metadata;
  /** The same context in-process (the router's call to an embedded adapter): used as is, never turned into metadata and back. */
  readonly context?: Context;
}

/** Where a stream's events go: the gRPC call (service mode) or the router's relay (embedded). */
export interface AdapterStreamSink {
  push(event: AdapterStreamEvent): void;
  /**
   * A promise while the consumer cannot take more (backpressure), else undefined. The adapter
   * awaits it (through UpstreamAttempt.holdFor) before reading the provider's next piece.
   */
  whenWritable(signal: AbortSignal): Promise<void> | undefined;
}
