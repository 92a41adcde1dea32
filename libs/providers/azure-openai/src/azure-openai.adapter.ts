import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { SecretScrubber, secretScrubber } from '@ai-gateway/logging';
import type { CompletionUsage, ProviderError } from '@ai-gateway/openai-api';
import { Fault, type AdapterRequest, type AdapterResponse, type ProviderTarget, type Usage } from '@ai-gateway/proto';
import {
  adapterGrpcError,
  clientRequestGrpcError,
  grpcUsage,
  headerList,
  limitsOf,
  providerAnswerGrpcError,
  providerRetryAfterMs,
  ProviderAnswerError,
  readBounded,
  readLimited,
  targetOf,
  toUpstreamError,
  UpstreamAttempt,
  UpstreamClient,
  UpstreamSpan,
  type AdapterCall,
  type AdapterStreamSink,
  type FailureContext,
  type ProviderAdapter,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import { OpenAiStreamParser, openAiRateLimitHeaders, type OpenAiStreamOutput } from '@ai-gateway/providers-openai';
import { decodeGrpcError, gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { AzureCredentialError, parseAzureCredential, type AzureCredential } from './azure-openai.credentials';
import { azureProviderError, azureStreamError } from './azure-openai.errors';
import { azureRequestHeaders, azureUpstreamRequest, type AzureUpstreamRequest } from './azure-openai.request';
import { azureSettingsOf, AzureSettingsError, type AzureOpenAiSettings } from './azure-openai.settings';
import type { AzureOperation } from './azure-openai.url';
import { AzureStreamReshaper } from './azure-stream.reshaper';
import { EntraTokenCache, EntraTokenError } from './entra-token.cache';
import { MAX_ENTRA_ANSWER_BYTES, entraTokenPost } from './entra-token.post';
import { authorityHostOf } from './entra-token.wire';

export const AZURE_OPENAI_KIND = 'azure-openai';

export interface AzureOpenAiAdapterOptions {
  /** Connection pools to the providers; one is made (and closed by close()) when none is given. */
  upstream?: UpstreamClient;
  /**
   * Base URL of the Entra ID token endpoint: sovereign clouds, tests. Default: the
   * AZURE_AUTHORITY_HOST environment variable (the Azure SDKs' name), else login.microsoftonline.com.
   */
  authorityHost?: string;
}

/** One attempt's state the failure classification reads. */
interface AttemptState {
  target: ProviderTarget;
  attempt: UpstreamAttempt;
  /** The attempt's own secrets (the key, an Entra client secret, the bearer token), scrubbed from every provider text. */
  secrets: AttemptSecrets;
  scrub: (text: string) => string;
  answered: boolean;
  chunks?: number;
  release: () => void;
}

interface PreparedCall extends AzureUpstreamRequest {
  headers: Record<string, string>;
  credential: AzureCredential;
}

/**
 * Azure OpenAI (kind `azure-openai`): the OpenAI wire format on a resource endpoint, a deployment
 * per model, api-key or Entra ID auth, and Azure's content-filter annotations and errors.
 */
export class AzureOpenAiAdapter implements ProviderAdapter {
  readonly kinds = [AZURE_OPENAI_KIND] as const;
  private readonly logger = new Logger('adapter-azure-openai');
  private readonly upstream: UpstreamClient;
  private readonly ownsUpstream: boolean;
  private readonly tokens: EntraTokenCache;

  constructor(options: AzureOpenAiAdapterOptions = {}) {
    this.upstream = options.upstream ?? new UpstreamClient();
    this.ownsUpstream = options.upstream === undefined;
    const authorityHost = authorityHostOf(options.authorityHost ?? process.env.AZURE_AUTHORITY_HOST);
    this.tokens = new EntraTokenCache({ post: entraTokenPost(this.upstream, MAX_ENTRA_ANSWER_BYTES), authorityHost });
  }

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.traced('chat', request, call, (span) => this.unary(request, 'chat/completions', call, span));
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.traced('embeddings', request, call, (span) => this.unary(request, 'embeddings', call, span));
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return this.traced('chat', request, call, async (span) => {
      let responseModel: string | undefined;
      let usage: Usage | undefined;
      const observed: AdapterStreamSink = {
        push: (event) => {
          if (event.responseModel) responseModel = event.responseModel;
          if (event.usage) usage = event.usage;
          sink.push(event);
        },
        whenWritable: (signal) => sink.whenWritable(signal),
      };
      await this.stream(request, observed, call);
      span.succeeded(responseModel, usage);
    });
  }

  async close(): Promise<void> {
    this.tokens.clear();
    if (this.ownsUpstream) await this.upstream.close();
  }

  private async unary(request: AdapterRequest, operation: AzureOperation, call: AdapterCall, span: UpstreamSpan): Promise<AdapterResponse> {
    const state = this.begin(request, call);
    try {
      const prepared = await this.prepare(request, state, operation, false);
      const response = await this.upstream.post(prepared.url, prepared.headers, prepared.body, state.attempt.limits, state.attempt.signal);
      await this.throwIfFailed(request, state, prepared, response);
      state.answered = true;
      state.attempt.answered(false);
      const bytes = await readBounded(response, this.upstream.maxResponseBytes, state.attempt);
      const answer = parseAnswer(bytes);
      const usage = answer.usage ? grpcUsage(answer.usage) : undefined;
      const responseModel = typeof answer.model === 'string' && answer.model !== '' ? answer.model : state.target.model;
      span.succeeded(responseModel, usage);
      return { body: bytes, usage, hasUsage: usage !== undefined, responseModel, headers: headerList(openAiRateLimitHeaders(response.headers)) };
    } catch (error) {
      throw this.failureOf(error, state);
    } finally {
      state.release();
    }
  }

  private async stream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    const state = this.begin(request, call);
    state.chunks = 0;
    const { attempt } = state;
    try {
      const prepared = await this.prepare(request, state, 'chat/completions', true);
      const response = await this.upstream.post(prepared.url, prepared.headers, prepared.body, attempt.limits, attempt.signal);
      await this.throwIfFailed(request, state, prepared, response);
      state.answered = true;
      attempt.answered(true);
      sink.push({ start: { headers: headerList(openAiRateLimitHeaders(response.headers)) } });
      const parser = new OpenAiStreamParser({ usageForced: prepared.usageForced, reshape: new AzureStreamReshaper().reshape });
      const relay = (outputs: OpenAiStreamOutput[]): void => {
        for (const output of outputs) this.relayOutput(output, state, sink);
      };
      try {
        for await (const piece of response.body) {
          if (attempt.signal.aborted) break;
          attempt.progress();
          try {
            relay(parser.feed(piece as Buffer));
          } catch (error) {
            response.body.destroy();
            throw error;
          }
          // Backpressure: read the provider's next piece only once the consumer can take more.
          const writable = sink.whenWritable(attempt.signal);
          if (writable) await attempt.holdFor(writable);
        }
        if (attempt.signal.aborted) throw toUpstreamError(attempt.signal.reason, attempt.signal, attempt.limits);
      } catch (error) {
        // A transport error once every choice finished loses nothing: the answer is whole.
        if (!parser.complete || attempt.signal.aborted) throw error;
      }
      relay(parser.finish());
    } catch (error) {
      throw this.failureOf(error, state);
    } finally {
      state.release();
    }
  }

  private relayOutput(output: OpenAiStreamOutput, state: AttemptState, sink: AdapterStreamSink): void {
    switch (output.kind) {
      case 'chunk':
        if (output.content) state.attempt.firstToken();
        state.chunks = (state.chunks ?? 0) + 1;
        sink.push({ chunk: Buffer.from(output.data) });
        return;
      case 'model':
        sink.push({ responseModel: output.model });
        return;
      case 'usage':
        sink.push({ usage: grpcUsage(output.usage) });
        return;
      case 'error':
        if (output.cause === 'provider_error') {
          throw new RpcException(providerAnswerGrpcError(state.target.providerId, azureStreamError(output.error), state.scrub));
        }
        throw new ProviderAnswerError(output.cause, output.error.message);
    }
  }

  private begin(request: AdapterRequest, call: AdapterCall): AttemptState {
    let target: ProviderTarget;
    try {
      target = targetOf(request);
    } catch (error) {
      throw error instanceof RpcException ? error.getError() : error;
    }
    const attempt = new UpstreamAttempt(limitsOf(request));
    const onCancel = (): void => attempt.cancel();
    if (call.signal.aborted) attempt.cancel();
    else call.signal.addEventListener('abort', onCancel, { once: true });
    const secrets = new AttemptSecrets();
    secrets.add(target.apiKey);
    return {
      target,
      attempt,
      secrets,
      scrub: (text) => secrets.scrub(text),
      answered: false,
      release: () => {
        attempt.done();
        call.signal.removeEventListener('abort', onCancel);
      },
    };
  }

  /** The URL, body and headers; a refusal here is the client's request, the provider key, or the provider's settings. */
  private async prepare(request: AdapterRequest, state: AttemptState, operation: AzureOperation, stream: boolean): Promise<PreparedCall> {
    const { target } = state;
    let credential: AzureCredential;
    let upstreamRequest: AzureUpstreamRequest;
    let settings: AzureOpenAiSettings;
    try {
      settings = azureSettingsOf(target);
      credential = parseAzureCredential(target.apiKey);
      if (credential.kind === 'entra') state.secrets.add(credential.clientSecret);
    } catch (error) {
      throw new RpcException(this.configurationError(target, error));
    }
    try {
      upstreamRequest = azureUpstreamRequest({
        raw: request.body,
        clientModel: request.clientModel,
        targetModel: target.model,
        baseUrl: target.baseUrl,
        settings,
        operation,
        stream,
        includeUsage: stream && request.includeUsage,
      });
    } catch (error) {
      if (error instanceof AzureSettingsError) throw new RpcException(this.configurationError(target, error));
      throw new RpcException(clientRequestGrpcError(target.providerId, error, this.logUnexpected));
    }
    if (credential.kind === 'api-key') return { ...upstreamRequest, credential, headers: azureRequestHeaders({ apiKey: credential.apiKey }, settings) };
    let bearerToken: string;
    try {
      bearerToken = await this.tokens.token(credential, state.attempt.signal);
    } catch (error) {
      if (error instanceof EntraTokenError) throw new RpcException(providerAnswerGrpcError(target.providerId, error.error, state.scrub));
      throw error;
    }
    state.secrets.add(bearerToken);
    return { ...upstreamRequest, credential, headers: azureRequestHeaders({ bearerToken }, settings) };
  }

  /** A non-2xx answer as the provider's error: scrubbed, cut, with its rate-limit headers and retry-after(-ms). */
  private async throwIfFailed(request: AdapterRequest, state: AttemptState, prepared: PreparedCall, response: UpstreamResponse): Promise<void> {
    if (response.status < 400) return;
    const text = await readLimited(response);
    const headers = openAiRateLimitHeaders(response.headers);
    // Azure refused an Entra token it accepted before (revoked, or the role assignment changed): fetch a new one next time.
    if (response.status === 401 && prepared.credential.kind === 'entra') this.tokens.invalidate(prepared.credential);
    const error = azureProviderError(response.status, text, { deployment: prepared.deployment, model: request.clientModel || state.target.model });
    throw new RpcException(providerAnswerGrpcError(state.target.providerId, error, state.scrub, { headers, retryAfterMs: providerRetryAfterMs(headers) }));
  }

  /** The provider key or settings cannot be used: the key is failing (401 for the router), or the provider is misconfigured. */
  private configurationError(target: ProviderTarget, error: unknown): object {
    if (error instanceof AzureCredentialError) {
      const keyError: ProviderError = {
        status: 502,
        upstreamStatus: 401,
        type: 'authentication_error',
        code: 'invalid_provider_key',
        param: null,
        message: `the provider key of ${target.providerId} cannot be used: ${error.message}`,
        retryable: false,
      };
      return providerAnswerGrpcError(target.providerId, keyError, (text) => text);
    }
    const reason = error instanceof AzureSettingsError ? error.message : 'unreadable settings';
    return gatewayGrpcError(GrpcStatus.FAILED_PRECONDITION, `provider ${target.providerId} is misconfigured: ${reason}`, {
      provider: target.providerId,
      retryable: true,
      openaiErrorType: 'api_error',
      openaiErrorCode: 'provider_misconfigured',
      fault: Fault.FAULT_GATEWAY_INTERNAL,
    });
  }

  private failureOf(error: unknown, state: AttemptState): object {
    const context: FailureContext = {
      providerId: state.target.providerId,
      signal: state.attempt.signal,
      limits: state.attempt.limits,
      answered: state.answered,
      chunks: state.chunks,
      scrub: state.scrub,
      logUnexpected: this.logUnexpected,
    };
    return adapterGrpcError(error, context);
  }

  /** Runs `run` inside the upstream span; `run` marks success itself, a rejection marks the span failed. */
  private async traced<T>(operation: 'chat' | 'embeddings', request: AdapterRequest, call: AdapterCall, run: (span: UpstreamSpan) => Promise<T>): Promise<T> {
    const span = new UpstreamSpan(operation, request.target, call.metadata);
    try {
      return await run(span);
    } catch (error) {
      const decoded = decodeGrpcError(error);
      span.failed(decoded.detail?.openaiErrorType || `grpc_${decoded.code}`);
      throw error;
    }
  }

  private readonly logUnexpected = (message: string, detail: Record<string, unknown>): void => {
    // The service's pino logger scrubs the text again on the way out.
    this.logger.warn(`${message}: ${JSON.stringify(detail)}`);
  };
}

/**
 * One attempt's secrets and their scrubber, built on first use: most attempts never fail, and
 * indexing a secret costs a string per character. The process-wide scrubber runs after it.
 */
class AttemptSecrets {
  private readonly values: string[] = [];
  private scrubber: SecretScrubber | undefined;

  add(secret: string): void {
    this.values.push(secret);
    this.scrubber?.register(secret);
  }

  scrub(text: string): string {
    if (!this.scrubber) {
      this.scrubber = new SecretScrubber();
      for (const value of this.values) this.scrubber.register(value);
    }
    return secretScrubber.scrub(this.scrubber.scrub(text));
  }
}

/** The provider's 2xx answer must be a JSON object; anything else is malformed. */
function parseAnswer(bytes: Buffer): { model?: unknown; usage?: Partial<CompletionUsage> } {
  let answer: unknown;
  try {
    answer = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not valid JSON');
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new ProviderAnswerError('malformed', 'the answer is not a JSON object');
  }
  const { model, usage } = answer as { model?: unknown; usage?: unknown };
  return { model, usage: typeof usage === 'object' && usage !== null ? (usage as Partial<CompletionUsage>) : undefined };
}
