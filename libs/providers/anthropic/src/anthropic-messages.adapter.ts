import type { AdapterRequest, AdapterResponse } from '@ai-gateway/proto';
import {
  grpcUsage,
  headerList,
  flatHeaders,
  ProviderAnswerError,
  ProviderAttempt,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderErrorReader,
  type UpstreamClient,
} from '@ai-gateway/provider-http';
import { anthropicChatTranslator as translator } from './anthropic.translator';
import { clientHeaders } from './anthropic.adapter-request';
import { AnthropicEventRelay, type RelayOutput } from './anthropic-event.relay';
import { readAnthropicMessage, toPassthroughRequest } from './anthropic-messages.passthrough';
import { toOpenAiUsage } from './anthropic-usage';

/**
 * Anthropic Messages requests (from /v1/messages) to an Anthropic-kind provider: the client's
 * body passes through (model rewritten; signed thinking stripped on a fallback model), and the
 * answer and the stream's events come back as Anthropic sent them; usage is read on the way.
 */
export class AnthropicMessagesPassthrough {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly logUnexpected: LogUnexpected,
  ) {}

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary('chat', request, call, this.logUnexpected, async (attempt) => {
      const response = await this.send(request, attempt, false);
      const rateLimits = translator.rateLimitHeaders(flatHeaders(response.headers));
      const bytes = await attempt.readBody(response, this.upstream.maxResponseBytes);
      let usage;
      let model;
      try {
        const message = readAnthropicMessage(bytes);
        usage = toOpenAiUsage(message.usage ?? {});
        model = message.model || attempt.target.model;
      } catch {
        throw new ProviderAnswerError('malformed', 'the answer is not an Anthropic message');
      }
      return { body: bytes, usage: grpcUsage(usage), hasUsage: true, responseModel: model, headers: headerList(rateLimits) };
    });
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const response = await this.send(request, attempt, true);
      out.push({ start: { headers: headerList(translator.rateLimitHeaders(flatHeaders(response.headers))) } });
      const relay = new AnthropicEventRelay();
      let modelSent = false;
      const emit = (outputs: RelayOutput[]) => {
        for (const output of outputs) {
          if (output.kind === 'error') return attempt.streamFailure(output);
          attempt.chunk(output.content);
          out.push({ chunk: Buffer.from(output.data) });
          if (!modelSent && relay.responseModel) {
            modelSent = true;
            out.push({ responseModel: relay.responseModel });
          }
        }
        return undefined;
      };
      await attempt.relay(response, out, {
        feed: (piece) => emit(relay.feed(piece)),
        finish: () => {
          const failure = emit(relay.finish());
          if (failure) return failure;
          const usage = relay.usage;
          if (usage) out.push({ usage: grpcUsage(usage) });
          return undefined;
        },
        get complete() {
          return relay.complete;
        },
        get closed() {
          return relay.closed;
        },
      });
    });
  }

  private send(request: AdapterRequest, attempt: ProviderAttempt, stream: boolean) {
    const { target } = attempt;
    const upstreamRequest = attempt.translate(() =>
      toPassthroughRequest(request.body, request.clientModel, { model: target.model, apiKey: target.apiKey, viaFallback: request.viaFallback === true }, clientHeaders(request.headers), stream),
    );
    const url = `${target.baseUrl.replace(/\/+$/, '')}${upstreamRequest.path}`;
    return attempt.send(this.upstream, url, upstreamRequest.headers, upstreamRequest.body, providerError);
  }
}

const providerError: ProviderErrorReader = (status, text, headers) => ({
  error: translator.error(status, text, headers),
  headers: translator.rateLimitHeaders(headers),
});
