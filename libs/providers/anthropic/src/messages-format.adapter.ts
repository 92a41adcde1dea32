import type { ChatCompletionChunk } from '@ai-gateway/openai-api';
import { Fault, RequestFormat, type AdapterRequest, type AdapterResponse, type AdapterStreamEvent } from '@ai-gateway/proto';
import { clientRequestGrpcError, type AdapterCall, type AdapterStreamSink, type FailureContext, type ProviderAdapter } from '@ai-gateway/provider-http';

type LogUnexpected = FailureContext['logUnexpected'];
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import type { AnthropicClientMessagesRequest } from './anthropic.types';
import { toOpenAiChatRequest } from './anthropic-to-openai.request';
import { toAnthropicMessage } from './openai-to-anthropic.response';
import { OpenAiToAnthropicStream } from './openai-to-anthropic.stream';

/**
 * The Anthropic Messages format for an adapter that speaks only chat completions: a Messages
 * request goes to the inner adapter as an OpenAI chat request, and its answer (JSON, or stream
 * chunks) comes back as a Message and Messages stream events. Chat-completions requests pass
 * through untouched. One decorator serves every such kind.
 */
export class MessagesFormatAdapter implements ProviderAdapter {
  readonly kinds: readonly string[];
  readonly nativeFormats = [RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES] as const;

  constructor(
    /** The wrapped chat-completions adapter (registry tests check its class). */
    readonly inner: ProviderAdapter,
    private readonly logUnexpected: LogUnexpected,
  ) {
    this.kinds = inner.kinds;
  }

  async chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    if (!isMessagesFormat(request)) return this.inner.chat(request, call);
    const response = await this.inner.chat(this.asChatRequest(request, false), call);
    const message = toAnthropicMessage(parseInnerJson(response.body));
    return { ...response, body: Buffer.from(JSON.stringify(message)) };
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return this.inner.embeddings(request, call);
  }

  async chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    if (!isMessagesFormat(request)) return this.inner.chatStream(request, sink, call);
    const events = new OpenAiToAnthropicStream(request.target?.model ?? request.clientModel);
    const pushEvents = (translated: ReturnType<OpenAiToAnthropicStream['push']>): void => {
      for (const event of translated) sink.push({ chunk: Buffer.from(JSON.stringify(event)) });
    };
    const translating: AdapterStreamSink = {
      push: (event: AdapterStreamEvent) => {
        if (event.chunk) pushEvents(events.push(parseInnerJson(event.chunk) as ChatCompletionChunk));
        else sink.push(event);
      },
      whenWritable: (signal) => sink.whenWritable(signal),
    };
    await this.inner.chatStream(this.asChatRequest(request, true), translating, call);
    pushEvents(events.end());
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The inner adapter's request: the OpenAI chat body, usage always asked for (message_delta reports it). */
  private asChatRequest(request: AdapterRequest, stream: boolean): AdapterRequest {
    let chat;
    try {
      const messages = JSON.parse(Buffer.from(request.body).toString('utf8')) as AnthropicClientMessagesRequest;
      chat = toOpenAiChatRequest({ ...messages, stream });
    } catch (error) {
      throw clientRequestGrpcError(request.target?.providerId ?? '', error, this.logUnexpected);
    }
    return { ...request, body: Buffer.from(JSON.stringify(chat)), includeUsage: true, format: RequestFormat.REQUEST_FORMAT_CHAT_COMPLETIONS_UNSPECIFIED };
  }
}

function isMessagesFormat(request: AdapterRequest): boolean {
  return request.format === RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES;
}

/** The inner adapter wrote this JSON itself; unreadable means our bug, never the client's or the provider's. */
function parseInnerJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw gatewayGrpcError(GrpcStatus.INTERNAL, 'the adapter produced an unreadable answer', { openaiErrorType: 'api_error', fault: Fault.FAULT_GATEWAY_INTERNAL });
  }
}

/** The adapter as it should be registered: as it is when it answers Messages itself, else wrapped in the decorator. */
export function withMessagesFormat(adapter: ProviderAdapter, logUnexpected: LogUnexpected): ProviderAdapter {
  return adapter.nativeFormats?.includes(RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES) ? adapter : new MessagesFormatAdapter(adapter, logUnexpected);
}
