import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse, ProviderTarget } from '@ai-gateway/proto';
import {
  grpcUsage,
  headerList,
  ProviderAnswerError,
  ProviderAttempt,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderAdapter,
  type ProviderErrorReader,
  type UpstreamClient,
} from '@ai-gateway/provider-http';
import { openAiProviderError } from './openai-errors';
import { openAiRateLimitHeaders } from './openai-rate-limits';
import { openAiCompatibleBody, openAiCompatibleHeaders } from './openai-compat.request';
import { compatUsageChunkReshaper } from './openai-compat.stream';
import { openAiCompatSwitchesOf } from './openai-compat.switches';
import { OpenAiStreamParser, type OpenAiStreamOutput } from './openai-stream.parser';
import type { UpstreamBody } from './openai-upstream.request';

/** OpenAI and every OpenAI-compatible provider: the client's body goes through nearly as it is. */
export class OpenAiAdapter implements ProviderAdapter {
  readonly kinds = ['openai'] as const;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly logUnexpected: LogUnexpected,
  ) {}

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.unary('chat', '/chat/completions', request, call);
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.unary('embeddings', '/embeddings', request, call);
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const { target } = attempt;
      const { body, usageForced } = attempt.translate(() => upstreamBody(request, target, true));
      const response = await attempt.send(this.upstream, `${target.baseUrl}/chat/completions`, requestHeaders(target), body, providerError);
      out.push({ start: { headers: headerList(openAiRateLimitHeaders(response.headers)) } });
      const parser = new OpenAiStreamParser({ usageForced, reshape: compatUsageChunkReshaper(usageForced) });
      const emit = (outputs: OpenAiStreamOutput[]) => {
        for (const output of outputs) {
          if (output.kind === 'error') return attempt.streamFailure(output);
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
    await this.upstream.close();
  }

  private unary(operation: 'chat' | 'embeddings', path: string, request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary(operation, request, call, this.logUnexpected, async (attempt) => {
      const { target } = attempt;
      const { body } = attempt.translate(() => upstreamBody(request, target, false));
      const response = await attempt.send(this.upstream, `${target.baseUrl}${path}`, requestHeaders(target), body, providerError);
      const bytes = await attempt.readBody(response, this.upstream.maxResponseBytes);
      const answer = parseAnswer(bytes);
      return {
        body: bytes,
        usage: answer.usage ? grpcUsage(answer.usage) : undefined,
        hasUsage: answer.usage !== undefined,
        responseModel: typeof answer.model === 'string' && answer.model !== '' ? answer.model : target.model,
        headers: headerList(openAiRateLimitHeaders(response.headers)),
      };
    });
  }
}

const providerError: ProviderErrorReader = (status, text, headers) => ({ error: openAiProviderError(status, text), headers: openAiRateLimitHeaders(headers) });

/** The provider's compatibility switches (OpenAI-compatible servers) applied; OpenAI itself has none on. */
function upstreamBody(request: AdapterRequest, target: ProviderTarget, stream: boolean): UpstreamBody {
  const input = { raw: request.body, clientModel: request.clientModel, targetModel: target.model, stream, includeUsage: stream && request.includeUsage };
  return openAiCompatibleBody(input, openAiCompatSwitchesOf(target.settings));
}

/** The key as a bearer token when the provider has one, and the provider's extra headers. */
function requestHeaders(target: ProviderTarget): Record<string, string> {
  return openAiCompatibleHeaders(target.apiKey, target.settings?.headers);
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
