import { DEFAULT_MODEL_INDEX, type ModelIndex, type ModelPrice } from '@ai-gateway/model-catalog';

/** What a request may cost at most, reserved at admission and settled to the actual usage later. */
export interface RequestEstimate {
  /** Prompt estimate + the most output it may produce: what the TPM limit counts. */
  tokens: number;
  usd: number;
}

/** Characters per token assumed for text: below every tokenizer's average, so the estimate errs high. */
const CHARS_PER_TOKEN = 3;
/** Tokens per message for the role and framing (OpenAI counts 3-4). */
const TOKENS_PER_MESSAGE = 4;
/** An image part: OpenAI's high-detail 2048px image is 1105 tokens, Anthropic's largest ~1600. */
const TOKENS_PER_IMAGE = 1_600;
/** Choices (`n`) counted at most: beyond it providers refuse the request anyway. */
const MAX_CHOICES = 128;
/** Output tokens counted at most per choice: above every model's output limit, and keeps sums finite whatever a client sends. */
const MAX_OUTPUT_TOKENS = 10_000_000;

/** Prompt tokens of a chat request, estimated from its text; images at a fixed worst case. */
export function chatPromptTokens(body: Record<string, unknown>): number {
  let chars = 0;
  let images = 0;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages as Array<Record<string, unknown>>) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content as Array<Record<string, unknown>>) {
        if (part.type === 'text' && typeof part.text === 'string') chars += part.text.length;
        // An Anthropic Messages image block (/v1/messages) costs like an image part, not its base64 text.
        else if (part.type === 'image_url' || part.type === 'image') images++;
        else chars += JSON.stringify(part).length;
      }
    }
    if (message.tool_calls) chars += JSON.stringify(message.tool_calls).length;
  }
  // Anthropic Messages keep the system prompt at the top level.
  if (typeof body.system === 'string') chars += body.system.length;
  else if (Array.isArray(body.system)) chars += JSON.stringify(body.system).length;
  if (body.tools) chars += JSON.stringify(body.tools).length;
  if (body.response_format) chars += JSON.stringify(body.response_format).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + messages.length * TOKENS_PER_MESSAGE + images * TOKENS_PER_IMAGE;
}

/** The output a chat request may produce: its own cap (times its choices), else the gateway's default cap. */
export function chatMaxOutputTokens(body: Record<string, unknown>, defaultCap: number): number {
  const asked = Math.min(MAX_OUTPUT_TOKENS, positive(body.max_completion_tokens) ?? positive(body.max_tokens) ?? defaultCap);
  const choices = Math.min(MAX_CHOICES, positive(body.n) ?? 1);
  return Math.ceil(asked) * Math.ceil(choices);
}

export function embeddingTokens(body: Record<string, unknown>): number {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  let tokens = 0;
  for (const input of inputs) {
    if (typeof input === 'string') tokens += Math.ceil(input.length / CHARS_PER_TOKEN);
    else if (typeof input === 'number') tokens += 1;
    else if (Array.isArray(input)) tokens += input.length;
  }
  return tokens;
}

/**
 * The highest input and output price among every kind serving the model and its fallback
 * models: the request may end up served by any of them, so the reservation assumes the dearest.
 * A model unknown to the catalog costs 0 (the router prices it at 0 too); its tokens still count.
 * `index` is the catalog with the operator's overrides (the config snapshot's).
 */
export function worstCasePrice(model: string, fallbacks: Record<string, string[]>, index: ModelIndex = DEFAULT_MODEL_INDEX): ModelPrice {
  const slash = model.indexOf('/');
  // `provider/model` prices as the model; a name that holds a slash itself (`meta-llama/...`) as it is.
  const name = slash > 0 && !index.knows(model) ? model.slice(slash + 1) : model;
  let input = 0;
  let output = 0;
  for (const candidate of [name, ...(fallbacks[name] ?? fallbacks[model] ?? [])]) {
    for (const { price } of index.entriesOfModel(candidate)) {
      input = Math.max(input, price.inputUsdPerMTok);
      output = Math.max(output, price.outputUsdPerMTok);
    }
  }
  return { inputUsdPerMTok: input, outputUsdPerMTok: output };
}

export function estimateOf(promptTokens: number, maxOutputTokens: number, price: ModelPrice): RequestEstimate {
  return {
    tokens: promptTokens + maxOutputTokens,
    usd: (promptTokens * price.inputUsdPerMTok + maxOutputTokens * price.outputUsdPerMTok) / 1_000_000,
  };
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
