import { RequestFormat } from '@ai-gateway/proto';
import { anthropicEventFacts, anthropicEventFinishes } from './anthropic-event-content';

/**
 * What a streamed chunk (the JSON of one OpenAI chat.completion.chunk) carries, as far as
 * routing cares: whether it is content the client would act on, and whether it ends a choice.
 * Role-only and empty chunks are not content: until the first content chunk a failure can
 * still fall back, so they are held back rather than sent.
 */
export interface ChunkFacts {
  content: boolean;
  finished: boolean;
}

interface ChunkShape {
  choices?: Array<{ delta?: Record<string, unknown>; finish_reason?: unknown }>;
  usage?: unknown;
}

const CONTENT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

export function chunkFacts(chunk: Uint8Array): ChunkFacts {
  let parsed: ChunkShape;
  try {
    parsed = JSON.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')) as ChunkShape;
  } catch {
    // Unreadable for us, but the adapter forwarded it: count it as delivered content.
    return { content: true, finished: false };
  }
  const choices = Array.isArray(parsed.choices) ? parsed.choices : [];
  let content = false;
  let finished = false;
  for (const choice of choices) {
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) finished = true;
    const delta = choice.delta ?? {};
    if (CONTENT_FIELDS.some((field) => typeof delta[field] === 'string' && (delta[field] as string).length > 0)) content = true;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) content = true;
    if (delta.function_call || delta.audio) content = true;
  }
  // A finish reason, or the usage chunk after it, ends the answer: the client has it all.
  if (finished || (choices.length === 0 && parsed.usage)) content = true;
  return { content, finished };
}

const FINISH_REASON_SET = /"finish_reason"\s*:\s*"/;

/**
 * Cheap check on chunks after the first content: a non-null finish reason is a JSON string
 * (compact as OpenAI writes it, or with spaces as Python's json.dumps does).
 */
export function hasFinishReason(chunk: Uint8Array): boolean {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return bytes.includes('"finish_reason"') && FINISH_REASON_SET.test(bytes.toString('utf8'));
}

/** How routing reads the chunks of one wire format. */
export interface StreamFacts {
  /** Full facts of a chunk, until the first content. */
  facts(chunk: Uint8Array): ChunkFacts;
  /** Cheap check after the first content: does this chunk end the answer? */
  finishes(chunk: Uint8Array): boolean;
}

const CHAT_COMPLETIONS_FACTS: StreamFacts = { facts: chunkFacts, finishes: hasFinishReason };
const ANTHROPIC_MESSAGES_FACTS: StreamFacts = { facts: anthropicEventFacts, finishes: anthropicEventFinishes };

/** The chunk reading for the request's wire format (a wire format, not a provider kind: the router may know it). */
export function streamFactsFor(format: RequestFormat | undefined): StreamFacts {
  return format === RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES ? ANTHROPIC_MESSAGES_FACTS : CHAT_COMPLETIONS_FACTS;
}
