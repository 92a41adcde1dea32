import type { Options } from '@grpc/proto-loader';
import { PROTO_ROOT } from '@ai-gateway/proto';

/** proto-loader options shared by every gRPC server and client: objects match ts-proto's types. */
export const GRPC_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
};

/** Channel options shared by servers and clients: bodies up to the ingress limit plus framing. */
export const GRPC_CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Peers are our own services on the cluster network: a returning replica is used within a
  // second, rather than after grpc-js's default backoff that grows to two minutes.
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;
