import { ClientGrpcProxy } from '@nestjs/microservices';
import { GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from './grpc-loader.options';

/** A NestJS gRPC client on one package, sharing the loader and channel options with the servers. */
export function createGrpcClient(options: { url: string; package: string; protoPath: string | string[] }): ClientGrpcProxy {
  return new ClientGrpcProxy({
    url: options.url,
    package: options.package,
    protoPath: options.protoPath,
    loader: GRPC_LOADER_OPTIONS,
    channelOptions: GRPC_CHANNEL_OPTIONS,
  });
}
