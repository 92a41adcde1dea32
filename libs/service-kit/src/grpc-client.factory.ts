import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { ClientGrpcProxy } from '@nestjs/microservices';
import { GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from './grpc-loader.options';
import { balancedServiceConfig, grpcTarget } from './grpc-target';
import { SERVICE_CREDENTIAL_HEADER } from './service-credential';

/**
 * Adds the caller's service credential to every call made on a channel. (grpc-js refuses to
 * compose call credentials with an insecure channel, so a client interceptor carries it.)
 */
export function serviceCredentialInterceptor(credential: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set(SERVICE_CREDENTIAL_HEADER, credential);
        next(metadata, listener);
      },
    });
}

export interface GrpcClientOptions {
  /** host:port, a list of replicas (ip:port,ip:port), or dns:///host:port (grpc-target.ts). */
  url: string;
  package: string;
  protoPath: string | string[];
  /** This process's SERVICE_CREDENTIAL, sent on every call; null only for tests of refusals. */
  credential: string | null;
  /**
   * The fully qualified service whose calls are safe to send to another replica when the first
   * refused them with UNAVAILABLE before answering (only on a balanced target).
   */
  retryUnavailable?: string;
}

/** The channel options of a client for `url`: the shared ones, plus round robin (and the retry) over replicas. */
export function grpcChannelOptions(url: string, retryUnavailable?: string): { target: string; options: Record<string, string | number> } {
  const { target, balanced } = grpcTarget(url);
  return {
    target,
    options: {
      ...GRPC_CHANNEL_OPTIONS,
      ...(balanced ? { 'grpc.service_config': balancedServiceConfig(retryUnavailable ? { service: retryUnavailable } : undefined) } : {}),
    },
  };
}

/** A NestJS gRPC client on one package, sharing the loader and channel options with the servers. */
export function createGrpcClient(options: GrpcClientOptions): ClientGrpcProxy {
  const channel = grpcChannelOptions(options.url, options.retryUnavailable);
  return new ClientGrpcProxy({
    url: channel.target,
    package: options.package,
    protoPath: options.protoPath,
    loader: GRPC_LOADER_OPTIONS,
    channelOptions: {
      ...channel.options,
      ...(options.credential === null ? {} : { interceptors: [serviceCredentialInterceptor(options.credential)] }),
    },
  });
}
