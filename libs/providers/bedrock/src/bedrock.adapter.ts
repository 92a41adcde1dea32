import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { ChatCompletion, ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse } from '@ai-gateway/proto';
import {
  grpcUsage,
  headerList,
  providerAnswerGrpcError,
  ProviderAnswerError,
  readBounded,
  traceUnary,
  UpstreamClient,
  UpstreamSpan,
  type AdapterCall,
  type AdapterStreamSink,
  type ProviderAdapter,
} from '@ai-gateway/provider-http';
import { decodeGrpcError } from '@ai-gateway/service-kit';
import { BedrockAttempt, type LogUnexpected } from './bedrock-attempt';
import { toEmbeddingsPlan, toOpenAiEmbeddings, UnreadableEmbeddingsResponse, type EmbeddingsPlan, type InvokeAnswer } from './bedrock-embeddings';
import { BedrockStreamParser } from './bedrock-stream.parser';
import { toOpenAiChatCompletion, UnreadableConverseResponse } from './bedrock-to-openai.response';
import { flatHeaders, postToBedrock, rateLimitHeaders, requestIdOf } from './bedrock-upstream';
import { toConverseRequest } from './openai-to-bedrock.request';

/** Titan embeds one text per call: this many calls run at once for a batch. */
const EMBEDDING_CALLS_IN_FLIGHT = 4;

/** AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel for embeddings) behind the gateway's adapter interface. */
export class BedrockAdapter implements ProviderAdapter {
  readonly kinds = ['bedrock'] as const;
  private readonly logUnexpected: LogUnexpected;

  constructor(
    private readonly upstream: UpstreamClient = new UpstreamClient(),
    logUnexpected?: LogUnexpected,
  ) {
    const logger = new Logger('adapter-bedrock');
    // The host's logger scrubs secrets again on the way out.
    this.logUnexpected = logUnexpected ?? ((message, detail) => logger.warn(`${message}: ${JSON.stringify(detail)}`));
  }

  async chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('chat', request.target, call.metadata), async () => {
      const state = BedrockAttempt.begin(request, call, this.logUnexpected);
      try {
        const body = this.converseBody(request, state);
        const response = await postToBedrock(this.upstream, state, 'converse', body);
        state.answered = true;
        state.attempt.answered(false);
        const headers = flatHeaders(response.headers);
        const completion = readCompletion(await readBounded(response, this.upstream.maxResponseBytes, state.attempt), state.target.model, requestIdOf(headers));
        return {
          body: Buffer.from(JSON.stringify(completion)),
          usage: completion.usage ? grpcUsage(completion.usage) : undefined,
          hasUsage: completion.usage !== undefined,
          responseModel: completion.model,
          headers: headerList(rateLimitHeaders(headers)),
        };
      } catch (error) {
        throw state.failureOf(error);
      } finally {
        state.end();
      }
    });
  }

  async chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    const span = new UpstreamSpan('chat', request.target, call.metadata);
    let state: BedrockAttempt | undefined;
    const outcome = { responseModel: undefined as string | undefined, usage: undefined as ReturnType<typeof grpcUsage> | undefined };
    try {
      state = BedrockAttempt.begin(request, call, this.logUnexpected);
      await this.relayStream(request, state, sink, outcome);
      span.succeeded(outcome.responseModel, outcome.usage);
    } catch (error) {
      const failure = state ? state.failureOf(error) : error;
      span.failed(decodeGrpcError(failure).detail?.openaiErrorType || 'error');
      throw failure;
    } finally {
      state?.end();
    }
  }

  async embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('embeddings', request.target, call.metadata), async () => {
      const state = BedrockAttempt.begin(request, call, this.logUnexpected);
      try {
        let plan: EmbeddingsPlan;
        try {
          plan = toEmbeddingsPlan(JSON.parse(Buffer.from(request.body).toString('utf8')), state.target.model);
        } catch (error) {
          throw state.clientRequestFailure(error);
        }
        const answers = await this.invokeAll(state, plan.bodies);
        let translated: ReturnType<typeof toOpenAiEmbeddings>;
        try {
          translated = toOpenAiEmbeddings(plan, answers, state.target.model);
        } catch (error) {
          if (error instanceof UnreadableEmbeddingsResponse) throw new ProviderAnswerError('malformed', error.message);
          throw error;
        }
        return {
          body: Buffer.from(JSON.stringify(translated.body)),
          usage: grpcUsage(translated.usage),
          hasUsage: true,
          responseModel: state.target.model,
          headers: [],
        };
      } catch (error) {
        throw state.failureOf(error);
      } finally {
        state.end();
      }
    });
  }

  async close(): Promise<void> {
    await this.upstream.close();
  }

  private converseBody(request: AdapterRequest, state: BedrockAttempt): string {
    try {
      return JSON.stringify(toConverseRequest(JSON.parse(Buffer.from(request.body).toString('utf8'))));
    } catch (error) {
      throw state.clientRequestFailure(error);
    }
  }

  private async relayStream(
    request: AdapterRequest,
    state: BedrockAttempt,
    sink: AdapterStreamSink,
    outcome: { responseModel?: string; usage?: ReturnType<typeof grpcUsage> },
  ): Promise<void> {
    const { attempt, target } = state;
    const body = this.converseBody(request, state);
    const response = await postToBedrock(this.upstream, state, 'converse-stream', body);
    state.answered = true;
    state.chunks = 0;
    attempt.answered(true);
    const headers = flatHeaders(response.headers);
    // `start` goes with the first chunk: an exception frame before any event is then a failure
    // before the stream started, which the router may fall back on.
    let started = false;
    const push: AdapterStreamSink['push'] = (event) => {
      if (!started) {
        started = true;
        sink.push({ start: { headers: headerList(rateLimitHeaders(headers)) } });
      }
      sink.push(event);
    };
    const parser = new BedrockStreamParser({ includeUsage: request.includeUsage, model: target.model, requestId: requestIdOf(headers) });
    const emit = (outputs: ChatStreamOutput[]): void => {
      for (const output of outputs) {
        if (output.kind === 'error') {
          response.body.destroy();
          if (output.cause === 'provider_error') throw new RpcException(providerAnswerGrpcError(target.providerId, output.error, state.scrub));
          throw new ProviderAnswerError(output.cause, output.error.message);
        }
        if (carriesContent(output.chunk)) attempt.firstToken();
        state.chunks = (state.chunks ?? 0) + 1;
        push({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
        if (!outcome.responseModel && parser.responseModel) {
          outcome.responseModel = parser.responseModel;
          push({ responseModel: parser.responseModel });
        }
      }
    };
    try {
      for await (const piece of response.body) {
        attempt.progress();
        emit(parser.feed(piece as Buffer));
        // Backpressure: read Bedrock's next piece only once the consumer can take more.
        const writable = sink.whenWritable(attempt.signal);
        if (writable) await attempt.holdFor(writable);
      }
    } catch (error) {
      // A transport error after messageStop loses nothing: the answer is whole.
      if (error instanceof RpcException || error instanceof ProviderAnswerError || !parser.complete || attempt.signal.aborted) throw error;
    }
    emit(parser.finish());
    const usage = parser.usage;
    if (usage) {
      outcome.usage = grpcUsage(usage);
      push({ usage: outcome.usage });
    }
  }

  private async invokeAll(state: BedrockAttempt, bodies: string[]): Promise<InvokeAnswer[]> {
    state.attempt.answered(false);
    const answers: InvokeAnswer[] = new Array<InvokeAnswer>(bodies.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const i = next++;
        answers[i] = await this.invoke(state, bodies[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(EMBEDDING_CALLS_IN_FLIGHT, bodies.length) }, worker));
    return answers;
  }

  private async invoke(state: BedrockAttempt, body: string): Promise<InvokeAnswer> {
    const response = await postToBedrock(this.upstream, state, 'invoke', body);
    state.answered = true;
    const bytes = await readBounded(response, this.upstream.maxResponseBytes, state.attempt);
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

/** Bedrock's 2xx Converse answer as an OpenAI completion; unreadable JSON or shape is a malformed answer. */
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
