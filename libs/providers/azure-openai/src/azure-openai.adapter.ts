import { SecretScrubber, secretScrubber } from '@ai-gateway/logging';
import type { CompletionUsage, ProviderError } from '@ai-gateway/openai-api';
import { Fault, type AdapterRequest, type AdapterResponse, type ProviderTarget } from '@ai-gateway/proto';
import {
  grpcUsage,
  headerList,
  providerAnswerGrpcError,
  ProviderAnswerError,
  ProviderAttempt,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderAdapter,
  type UpstreamClient,
} from '@ai-gateway/provider-http';
import { OpenAiStreamParser, openAiRateLimitHeaders, type OpenAiStreamOutput } from '@ai-gateway/providers-openai';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { AzureCredentialError, parseAzureCredential, type AzureCredential } from './azure-openai.credentials';
import { azureProviderError, azureStreamError } from './azure-openai.errors';
import { azureRequestHeaders, azureUpstreamRequest, type AzureUpstreamRequest } from './azure-openai.request';
import { azureSettingsOf, AzureSettingsError, azureSurfaceOf, type AzureOpenAiSettings } from './azure-openai.settings';
import type { AzureOperation } from './azure-openai.url';
import { AzureStreamReshaper } from './azure-stream.reshaper';
import { EntraTokenCache, EntraTokenError } from './entra-token.cache';
import { authorityHostOf } from './entra-token.wire';
import { MAX_ENTRA_ANSWER_BYTES, entraTokenPost } from './entra-token.post';

export const AZURE_OPENAI_KIND = 'azure-openai';

export interface AzureOpenAiAdapterOptions {
  /** This adapter's connection pools (closed by close()). */
  upstream: UpstreamClient;
  logUnexpected: LogUnexpected;
  /**
   * Base URL of the Entra ID token endpoint: sovereign clouds, tests. Default: the
   * AZURE_AUTHORITY_HOST environment variable (the Azure SDKs' name), else login.microsoftonline.com.
   */
  authorityHost?: string;
}

interface PreparedCall extends AzureUpstreamRequest {
  headers: Record<string, string>;
  credential: AzureCredential;
  /** The Entra token sent (Entra auth only), to drop it if Azure refuses it. */
  bearerToken?: string;
  /** The attempt's scrubber plus the Entra client secret and bearer token, for every provider text. */
  scrub: (text: string) => string;
}

/**
 * Azure OpenAI (kind `azure-openai`): the OpenAI wire format on a resource endpoint, a deployment
 * per model, api-key or Entra ID auth, and Azure's content-filter annotations and errors. Built
 * on the OpenAI kind's stream parser and error reading; what differs lives in this lib.
 */
export class AzureOpenAiAdapter implements ProviderAdapter {
  readonly kinds = [AZURE_OPENAI_KIND] as const;
  private readonly upstream: UpstreamClient;
  private readonly logUnexpected: LogUnexpected;
  private readonly tokens: EntraTokenCache;

  constructor(options: AzureOpenAiAdapterOptions) {
    this.upstream = options.upstream;
    this.logUnexpected = options.logUnexpected;
    const authorityHost = authorityHostOf(options.authorityHost ?? process.env.AZURE_AUTHORITY_HOST);
    this.tokens = new EntraTokenCache({ post: entraTokenPost(this.upstream, MAX_ENTRA_ANSWER_BYTES), authorityHost, secrets: secretScrubber, logFailure: this.logUnexpected });
  }

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.unary('chat', 'chat/completions', request, call);
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.unary('embeddings', 'embeddings', request, call);
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const prepared = await this.prepare(attempt, request, 'chat/completions', true);
      const response = await this.send(attempt, request, prepared);
      out.push({ start: { headers: headerList(openAiRateLimitHeaders(response.headers)) } });
      const parser = new OpenAiStreamParser({ usageForced: prepared.usageForced, reshape: new AzureStreamReshaper().reshape });
      const emit = (outputs: OpenAiStreamOutput[]): GatewayGrpcErrorShape | undefined => {
        for (const output of outputs) {
          if (output.kind === 'error') {
            return output.cause === 'provider_error'
              ? providerAnswerGrpcError(attempt.target.providerId, azureStreamError(output.error), prepared.scrub)
              : attempt.streamFailure(output);
          }
          if (output.kind === 'chunk') {
            attempt.chunk(output.content);
            out.push({ chunk: Buffer.from(output.data) });
          } else if (output.kind === 'model') out.push({ responseModel: output.model });
          else out.push({ usage: grpcUsage(output.usage) });
        }
        return undefined;
      };
      await attempt.relay(response, out, {
        feed: (piece) => emit(parser.feed(piece)),
        finish: () => emit(parser.finish()),
        get complete() {
          return parser.complete;
        },
        get closed() {
          return parser.closed;
        },
      });
    });
  }

  async close(): Promise<void> {
    this.tokens.clear();
    await this.upstream.close();
  }

  private unary(operation: 'chat' | 'embeddings', path: AzureOperation, request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary(operation, request, call, this.logUnexpected, async (attempt) => {
      const prepared = await this.prepare(attempt, request, path, false);
      const response = await this.send(attempt, request, prepared);
      const bytes = await attempt.readBody(response, this.upstream.maxResponseBytes);
      const answer = parseAnswer(bytes);
      return {
        body: bytes,
        usage: answer.usage ? grpcUsage(answer.usage) : undefined,
        hasUsage: answer.usage !== undefined,
        responseModel: typeof answer.model === 'string' && answer.model !== '' ? answer.model : attempt.target.model,
        headers: headerList(openAiRateLimitHeaders(response.headers)),
      };
    });
  }

  /** URL, body and headers; a refusal here is the provider key, the provider's settings, or the client's request. */
  private async prepare(attempt: ProviderAttempt, request: AdapterRequest, operation: AzureOperation, stream: boolean): Promise<PreparedCall> {
    const { target } = attempt;
    let settings: AzureOpenAiSettings;
    let credential: AzureCredential;
    try {
      settings = azureSettingsOf(target);
      azureSurfaceOf(settings);
      credential = parseAzureCredential(target.apiKey);
    } catch (error) {
      throw configurationError(target, error);
    }
    const upstreamRequest = attempt.translate(() =>
      azureUpstreamRequest({
        raw: request.body,
        clientModel: request.clientModel,
        targetModel: target.model,
        baseUrl: target.baseUrl,
        settings,
        operation,
        stream,
        includeUsage: stream && request.includeUsage,
      }),
    );
    if (credential.kind === 'api-key') {
      return { ...upstreamRequest, credential, headers: azureRequestHeaders({ apiKey: credential.apiKey }, settings), scrub: attempt.scrub };
    }
    let bearerToken: string;
    try {
      bearerToken = await this.tokens.token(credential, attempt.signal);
    } catch (error) {
      if (error instanceof EntraTokenError) throw providerAnswerGrpcError(target.providerId, error.error, scrubberOf(attempt, [credential.clientSecret]));
      throw error;
    }
    const scrub = scrubberOf(attempt, [credential.clientSecret, bearerToken]);
    return { ...upstreamRequest, credential, bearerToken, headers: azureRequestHeaders({ bearerToken }, settings), scrub };
  }

  private send(attempt: ProviderAttempt, request: AdapterRequest, prepared: PreparedCall) {
    const model = request.clientModel || attempt.target.model;
    return attempt.send(this.upstream, prepared.url, prepared.headers, prepared.body, (status, text, headers) => {
      // Azure refused an Entra token it accepted before (revoked, a role changed): fetch a new one next time.
      if (status === 401 && prepared.credential.kind === 'entra') this.tokens.invalidate(prepared.credential, prepared.bearerToken);
      const error = azureProviderError(status, text, { deployment: prepared.deployment, model });
      return { error: { ...error, message: prepared.scrub(error.message) }, headers: openAiRateLimitHeaders(headers) };
    });
  }
}

/** The attempt's scrubber (its key, the process's secrets) with more secrets of this attempt, indexed on first use. */
function scrubberOf(attempt: ProviderAttempt, secrets: string[]): (text: string) => string {
  let own: SecretScrubber | undefined;
  return (text) => {
    if (!own) {
      own = new SecretScrubber();
      for (const secret of secrets) own.register(secret);
    }
    return attempt.scrub(own.scrub(text));
  };
}

/** The provider key or settings cannot be used: the key is failing (401 for the router), or the provider is misconfigured. */
function configurationError(target: ProviderTarget, error: unknown): GatewayGrpcErrorShape {
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
