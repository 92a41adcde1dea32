export interface UpstreamBodyInput {
  /** The client's JSON, as it sent it. */
  raw: Uint8Array;
  /** The `model` the client's JSON names. */
  clientModel: string;
  /** The provider's model id to send. */
  targetModel: string;
  stream: boolean;
  /** The client asked for the usage chunk itself. */
  includeUsage: boolean;
}

export interface UpstreamBody {
  body: Uint8Array | string;
  /** The gateway asked for the usage chunk on the client's behalf: drop it before the client sees it. */
  usageForced: boolean;
}

const USAGE_OPTION = '"stream_options":{"include_usage":true},';

/**
 * The body to send an OpenAI-compatible provider: the client's bytes as they are unless the
 * model id differs (alias, pinned `provider/model`) or a stream must ask for usage (the gateway
 * always counts tokens). Asking for usage is spliced into the bytes when the client sent no
 * stream_options; JSON is parsed and written again only when something inside must change.
 */
export function openAiUpstreamBody(input: UpstreamBodyInput): UpstreamBody {
  const needsUsage = input.stream && !input.includeUsage;
  const sameModel = input.clientModel === input.targetModel;
  if (sameModel && !needsUsage) return { body: input.raw, usageForced: false };
  const text = Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength).toString('utf8');
  if (sameModel && !text.includes('"stream_options"')) {
    const open = text.indexOf('{');
    return { body: `${text.slice(0, open + 1)}${USAGE_OPTION}${text.slice(open + 1)}`, usageForced: true };
  }
  const request = JSON.parse(text) as Record<string, unknown> & { stream_options?: Record<string, unknown> | null };
  const rewritten: Record<string, unknown> = { ...request, model: input.targetModel };
  if (needsUsage) rewritten.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return { body: JSON.stringify(rewritten), usageForced: needsUsage };
}

export function openAiRequestHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' };
}
