import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { ClientGrpcProxy } from '@nestjs/microservices';
import { GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from './grpc-loader.options';
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
  url: string;
  package: string;
  protoPath: string | string[];
  /** This process's SERVICE_CREDENTIAL, sent on every call; null only for tests of refusals. */
  credential: string | null;
}

/** A NestJS gRPC client on one package, sharing the loader and channel options with the servers. */
export function createGrpcClient(options: GrpcClientOptions): ClientGrpcProxy {
  return new ClientGrpcProxy({
    url: options.url,
    package: options.package,
    protoPath: options.protoPath,
    loader: GRPC_LOADER_OPTIONS,
    channelOptions: {
      ...GRPC_CHANNEL_OPTIONS,
      ...(options.credential === null ? {} : { interceptors: [serviceCredentialInterceptor(options.credential)] }),
    },
  });
}
