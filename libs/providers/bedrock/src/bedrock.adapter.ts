import type { ChatCompletion, ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse } from '@ai-gateway/proto';
import {
  flatHeaders,
  grpcUsage,
  headerList,
  ProviderAnswerError,
  ProviderAttempt,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderAdapter,
  type UpstreamClient,
} from '@ai-gateway/provider-http';
import type { GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { bedrockCallOf, type BedrockCall } from './bedrock-call';
import { toEmbeddingsPlan, toOpenAiEmbeddings, UnreadableEmbeddingsResponse, type InvokeAnswer } from './bedrock-embeddings';
import { BedrockStreamParser } from './bedrock-stream.parser';
import { toOpenAiChatCompletion, UnreadableConverseResponse } from './bedrock-to-openai.response';
import { postToBedrock, rateLimitHeaders, requestIdOf } from './bedrock-upstream';
import { toConverseRequest } from './openai-to-bedrock.request';

/** Titan embeds one text per call: this many calls of a batch run at once. */
const EMBEDDING_CALLS_IN_FLIGHT = 4;

/** AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel for embeddings) behind the OpenAI shapes. */
export class BedrockAdapter implements ProviderAdapter {
  readonly kinds = ['bedrock'] as const;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly logUnexpected: LogUnexpected,
  ) {}

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary('chat', request, call, this.logUnexpected, async (attempt) => {
      const bedrock = bedrockCallOf(attempt.target);
      const body = attempt.translate(() => converseBody(request));
      const response = await postToBedrock(this.upstream, attempt, bedrock, 'converse', body);
      const headers = flatHeaders(response.headers);
      const completion = readCompletion(await attempt.readBody(response, this.upstream.maxResponseBytes), attempt.target.model, requestIdOf(headers));
      return {
        body: Buffer.from(JSON.stringify(completion)),
        usage: completion.usage ? grpcUsage(completion.usage) : undefined,
        hasUsage: completion.usage !== undefined,
        responseModel: completion.model,
        headers: headerList(rateLimitHeaders(headers)),
      };
    });
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const bedrock = bedrockCallOf(attempt.target);
      const body = attempt.translate(() => converseBody(request));
      const response = await postToBedrock(this.upstream, attempt, bedrock, 'converse-stream', body);
      const headers = flatHeaders(response.headers);
      const parser = new BedrockStreamParser({ includeUsage: request.includeUsage, model: attempt.target.model, requestId: requestIdOf(headers) });
      // `start` goes with the first chunk: an exception frame before any event is then a
      // failure before the stream started, which the router may retry or fall back on.
      let started = false;
      const push: AdapterStreamSink['push'] = (event) => {
        if (!started) {
          started = true;
          out.push({ start: { headers: headerList(rateLimitHeaders(headers)) } });
        }
        out.push(event);
      };
      let modelSent = false;
      const emit = (outputs: ChatStreamOutput[]): GatewayGrpcErrorShape | undefined => {
        for (const output of outputs) {
          if (output.kind === 'error') return attempt.streamFailure(output);
          attempt.chunk(carriesContent(output.chunk));
          push({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
          if (!modelSent && parser.responseModel) {
            modelSent = true;
            push({ responseModel: parser.responseModel });
          }
        }
        return undefined;
      };
      await attempt.relay(response, out, {
        feed: (piece) => emit(parser.feed(piece)),
        finish: () => {
          const failure = emit(parser.finish());
          if (failure) return failure;
          const usage = parser.usage;
          if (usage) push({ usage: grpcUsage(usage) });
          return undefined;
        },
        get complete() {
          return parser.complete;
        },
      });
    });
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary('embeddings', request, call, this.logUnexpected, async (attempt) => {
      const bedrock = bedrockCallOf(attempt.target);
      const plan = attempt.translate(() => toEmbeddingsPlan(JSON.parse(Buffer.from(request.body).toString('utf8')), attempt.target.model));
      const answers = await this.invokeAll(attempt, bedrock, plan.bodies);
      let translated: ReturnType<typeof toOpenAiEmbeddings>;
      try {
        translated = toOpenAiEmbeddings(plan, answers, attempt.target.model);
      } catch (error) {
        if (error instanceof UnreadableEmbeddingsResponse) throw new ProviderAnswerError('malformed', error.message);
        throw error;
      }
      return {
        body: Buffer.from(JSON.stringify(translated.body)),
        usage: grpcUsage(translated.usage),
        hasUsage: true,
        responseModel: attempt.target.model,
        headers: [],
      };
    });
  }

  async close(): Promise<void> {
    await this.upstream.close();
  }

  /** The InvokeModel calls of a batch, a few at a time; the first failure aborts the calls still in flight. */
  private async invokeAll(attempt: ProviderAttempt, bedrock: BedrockCall, bodies: string[]): Promise<InvokeAnswer[]> {
    const answers = new Array<InvokeAnswer>(bodies.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const i = next++;
        answers[i] = await this.invoke(attempt, bedrock, bodies[i]);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(EMBEDDING_CALLS_IN_FLIGHT, bodies.length) }, worker));
    } catch (error) {
      const failure = attempt.failure(error);
      attempt.timing.cancel();
      throw failure;
    }
    return answers;
  }

  private async invoke(attempt: ProviderAttempt, bedrock: BedrockCall, body: string): Promise<InvokeAnswer> {
    const response = await postToBedrock(this.upstream, attempt, bedrock, 'invoke', body);
    const bytes = await attempt.readBody(response, this.upstream.maxResponseBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ProviderAnswerError('malformed', 'the embeddings answer is not valid JSON');
    }
    const count = Number(flatHeaders(response.headers)['x-amzn-bedrock-input-token-count']);
    return { body: parsed, inputTokens: Number.isInteger(count) && count >= 0 ? count : undefined };
  }
}

function converseBody(request: AdapterRequest): string {
  return JSON.stringify(toConverseRequest(JSON.parse(Buffer.from(request.body).toString('utf8'))));
}

/** Bedrock's 2xx Converse answer as an OpenAI completion; an unreadable or untranslatable answer is malformed. */
function readCompletion(bytes: Buffer, model: string, requestId: string): ChatCompletion {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not valid JSON');
  }
  try {
    return toOpenAiChatCompletion(body, { model, requestId });
  } catch (error) {
    // Not a Converse response, or one that cannot be re-serialised (tool input nested too deep).
    const reason = error instanceof UnreadableConverseResponse ? error.message : 'it cannot be translated';
    throw new ProviderAnswerError('malformed', `the answer is not a usable Converse response (${reason})`);
  }
}

/** A chunk with text, a tool call or a finish reason: the stream's first token, for the first-token limit. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (choice) => choice.finish_reason != null || (typeof choice.delta.content === 'string' && choice.delta.content !== '') || (choice.delta.tool_calls?.length ?? 0) > 0,
  );
}
