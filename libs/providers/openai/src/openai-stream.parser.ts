import type { CompletionUsage, ProviderError, StreamFailureCause } from '@ai-gateway/openai-api';
import { SseEventDecoder, SseLimitError, type SseEvent } from '@ai-gateway/sse';
import { streamErrorOf } from './openai-errors';

/** What one OpenAI-compatible stream gives the adapter, in order. */
export type OpenAiStreamOutput =
  /** A chunk to forward as it is; `content` when it carries text, a tool call, a refusal or a finish reason. */
  | { kind: 'chunk'; data: string; content: boolean }
  /** The provider's model id, from the first chunk that names it. */
  | { kind: 'model'; model: string }
  /** Token counts, from the usage chunk (dropped from the client's stream when the gateway asked for it). */
  | { kind: 'usage'; usage: Partial<CompletionUsage> }
  | { kind: 'error'; error: ProviderError; cause: StreamFailureCause };

interface ChunkShape {
  model?: unknown;
  usage?: unknown;
  choices?: unknown;
  error?: unknown;
}

interface ChoiceShape {
  index?: unknown;
  finish_reason?: unknown;
  delta?: { content?: unknown; tool_calls?: unknown; refusal?: unknown; function_call?: unknown } | null;
}

export interface OpenAiStreamParserOptions {
  usageForced: boolean;
  /**
   * A dialect's rewrite of each chunk the client would see (Azure's annotation chunks): the
   * parsed chunk and its text in, the text to forward out, or undefined to drop it. Completion
   * and first-token tracking read the chunk as the provider sent it.
   */
  reshape?: (chunk: Record<string, unknown>, data: string) => string | undefined;
}

/**
 * One OpenAI Chat Completions stream (PROVIDERS.md §1), fed raw bytes. Chunks pass through as
 * the provider wrote them; each is checked to be JSON. The stream is complete at `[DONE]`, or —
 * when the body ends without it — once every choice seen has its finish_reason; anything else
 * is a cut. Created per request.
 */
export class OpenAiStreamParser {
  private readonly decoder = new SseEventDecoder();
  private state: 'open' | 'done' | 'failed' = 'open';
  private modelSent = false;
  private readonly choicesSeen = new Set<number>();
  private readonly choicesFinished = new Set<number>();
  private bytesSeen = 0;
  private eventsSeen = 0;

  constructor(private readonly options: OpenAiStreamParserOptions) {}

  /** The answer is whole: `[DONE]` arrived, or every choice has a finish reason. */
  get complete(): boolean {
    if (this.state === 'done') return true;
    return this.state === 'open' && this.choicesSeen.size > 0 && this.choicesFinished.size === this.choicesSeen.size;
  }

  /** The provider's closing event (`[DONE]`) arrived. */
  get closed(): boolean {
    return this.state === 'done';
  }

  feed(bytes: Uint8Array): OpenAiStreamOutput[] {
    if (this.state !== 'open') return [];
    this.bytesSeen += bytes.length;
    return this.handleAll(() => this.decoder.decode(bytes));
  }

  /** The body ended: complete, or a cut before a finish reason. */
  finish(): OpenAiStreamOutput[] {
    if (this.state !== 'open') return [];
    const outputs = this.handleAll(() => this.decoder.end());
    if (this.state !== 'open') return outputs;
    if (this.complete) {
      this.state = 'done';
      return outputs;
    }
    if (this.bytesSeen > 0 && this.eventsSeen === 0) {
      // A body without a single SSE event (an HTML page, a JSON error with status 200) is no stream at all.
      return [...outputs, this.fail(failure('bad_upstream_response', 'the answer is not an SSE stream'), 'malformed')];
    }
    return [...outputs, this.fail(failure('stream_cut', 'the body ended before a finish reason'), 'stream_cut')];
  }

  private handleAll(decode: () => SseEvent[]): OpenAiStreamOutput[] {
    let events: SseEvent[];
    try {
      events = decode();
    } catch (error) {
      if (!(error instanceof SseLimitError)) throw error;
      return [this.fail(failure('bad_upstream_response', error.message), 'malformed')];
    }
    const outputs: OpenAiStreamOutput[] = [];
    for (const event of events) {
      if (this.state !== 'open') break;
      this.eventsSeen += 1;
      outputs.push(...this.handle(event.data));
    }
    return outputs;
  }

  private handle(data: string): OpenAiStreamOutput[] {
    if (data === '[DONE]') {
      this.state = 'done';
      return [];
    }
    let chunk: ChunkShape;
    try {
      chunk = JSON.parse(data) as ChunkShape;
    } catch {
      return [this.fail(failure('bad_upstream_response', 'a data line is not JSON'), 'malformed')];
    }
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      return [this.fail(failure('bad_upstream_response', 'a data line is not a JSON object'), 'malformed')];
    }
    if (chunk.error !== undefined && chunk.choices === undefined) {
      return [this.fail(streamErrorOf(data) ?? failure('bad_upstream_response', 'an unreadable error event'), 'provider_error')];
    }
    if (chunk.choices !== undefined && !Array.isArray(chunk.choices)) {
      return [this.fail(failure('bad_upstream_response', 'a chunk whose choices is not an array'), 'malformed')];
    }
    const outputs: OpenAiStreamOutput[] = [];
    if (!this.modelSent && typeof chunk.model === 'string' && chunk.model !== '') {
      this.modelSent = true;
      outputs.push({ kind: 'model', model: chunk.model });
    }
    const choices = (chunk.choices ?? []) as ChoiceShape[];
    const usage = typeof chunk.usage === 'object' && chunk.usage !== null ? (chunk.usage as Partial<CompletionUsage>) : undefined;
    if (usage) outputs.push({ kind: 'usage', usage });
    // The usage chunk the gateway asked for on the client's behalf is not the client's to see.
    if (usage && choices.length === 0 && this.options.usageForced) return outputs;
    const content = this.readChoices(choices);
    const shaped = this.options.reshape ? this.options.reshape(chunk as Record<string, unknown>, data) : data;
    if (shaped !== undefined) outputs.push({ kind: 'chunk', data: shaped, content });
    return outputs;
  }

  /** Records which choices exist and which finished; true when a choice carries content or a finish reason. */
  private readChoices(choices: ChoiceShape[]): boolean {
    let content = false;
    for (const choice of choices) {
      if (typeof choice !== 'object' || choice === null) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      this.choicesSeen.add(index);
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
        this.choicesFinished.add(index);
        content = true;
      }
      const delta = choice.delta;
      if (delta && (isNonEmpty(delta.content) || isNonEmpty(delta.refusal) || isNonEmpty(delta.tool_calls) || delta.function_call)) {
        content = true;
      }
    }
    return content;
  }

  private fail(error: ProviderError, cause: StreamFailureCause): OpenAiStreamOutput {
    this.state = 'failed';
    return { kind: 'error', error, cause };
  }
}

function isNonEmpty(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0);
}

function failure(code: 'stream_cut' | 'bad_upstream_response', message: string): ProviderError {
  return { status: 502, upstreamStatus: 0, type: 'api_error', code, param: null, message, retryable: true };
}
