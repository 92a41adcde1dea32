import { RpcException } from '@nestjs/microservices';
import { attemptScrubber } from '@ai-gateway/logging';
import { Fault, type AdapterRequest, type ProviderTarget } from '@ai-gateway/proto';
import {
  adapterGrpcError,
  clientRequestGrpcError,
  limitsOf,
  targetOf,
  UpstreamAttempt,
  type AdapterCall,
  type FailureContext,
} from '@ai-gateway/provider-http';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { BedrockKeyError, parseBedrockKey, type BedrockCredentials } from './bedrock-credentials';
import { bedrockEndpoint, BedrockEndpointError, type BedrockEndpoint } from './bedrock-endpoint';

export type LogUnexpected = FailureContext['logUnexpected'];

/**
 * One call to Bedrock: where and as whom (endpoint, credentials), its time limits, and what the
 * failure classification reads (answered, chunks). The caller's signal cancels the upstream request.
 */
export class BedrockAttempt {
  readonly attempt: UpstreamAttempt;
  readonly scrub: (text: string) => string;
  answered = false;
  chunks: number | undefined;
  private readonly onCallAborted = (): void => this.attempt.cancel();

  private constructor(
    readonly target: ProviderTarget,
    readonly endpoint: BedrockEndpoint,
    readonly credentials: BedrockCredentials,
    request: AdapterRequest,
    private readonly call: AdapterCall,
    private readonly logUnexpected: LogUnexpected,
  ) {
    // Scrubs the stored key and every 16-character slice of it, so the secret access key and
    // the session token inside the JSON are covered too.
    this.scrub = attemptScrubber(target.apiKey);
    this.attempt = new UpstreamAttempt(limitsOf(request));
    if (call.signal.aborted) this.attempt.cancel();
    else call.signal.addEventListener('abort', this.onCallAborted, { once: true });
  }

  /** Throws a GatewayGrpcErrorShape when the provider's configuration or key cannot be used. */
  static begin(request: AdapterRequest, call: AdapterCall, logUnexpected: LogUnexpected): BedrockAttempt {
    const target = bare(() => targetOf(request));
    let endpoint: BedrockEndpoint;
    let credentials: BedrockCredentials;
    try {
      endpoint = bedrockEndpoint(target.baseUrl, target.settings);
      credentials = parseBedrockKey(target.apiKey);
    } catch (error) {
      if (error instanceof BedrockEndpointError || error instanceof BedrockKeyError) throw configurationGrpcError(target.providerId, error.message);
      throw error;
    }
    return new BedrockAttempt(target, endpoint, credentials, request, call, logUnexpected);
  }

  /** The client's request could not be made into Bedrock's (a 400 naming the parameter), to throw inside the attempt. */
  clientRequestFailure(error: unknown): RpcException {
    return new RpcException(clientRequestGrpcError(this.target.providerId, error, this.logUnexpected));
  }

  /** Any failure after the request was built, as the gRPC error shape the router reads. */
  failureOf(error: unknown): object {
    return adapterGrpcError(error, {
      providerId: this.target.providerId,
      signal: this.attempt.signal,
      limits: this.attempt.limits,
      answered: this.answered,
      chunks: this.chunks,
      scrub: this.scrub,
      logUnexpected: this.logUnexpected,
    });
  }

  /** Releases the timers; anything still in flight (a batch's other calls after one failed) is aborted. */
  end(): void {
    this.attempt.done();
    this.attempt.cancel();
    this.call.signal.removeEventListener('abort', this.onCallAborted);
  }
}

/**
 * The provider's configuration (region) or stored key cannot be used: the operator's to fix,
 * never the client's. Reported like a rejected key (401 from the provider would be the same
 * outcome): the router moves to the next candidate and marks this provider's key failing.
 */
function configurationGrpcError(providerId: string, reason: string): object {
  return gatewayGrpcError(GrpcStatus.UNAUTHENTICATED, `provider ${providerId} cannot be called: ${reason}`, {
    provider: providerId,
    upstreamHttpStatus: 401,
    openaiErrorType: 'authentication_error',
    openaiErrorCode: 'provider_misconfigured',
    fault: Fault.FAULT_PROVIDER_HTTP,
  });
}

/** targetOf throws an RpcException (a Nest handler's form); the adapter interface rejects with the bare shape. */
function bare<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RpcException) throw error.getError();
    throw error;
  }
}
