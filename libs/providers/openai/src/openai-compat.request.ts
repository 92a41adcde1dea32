import { providerHeaderOverrides } from './provider-header-overrides';
import { anySwitchOn, type OpenAiCompatSwitches } from './openai-compat.switches';
import { openAiUpstreamBody, type UpstreamBody, type UpstreamBodyInput } from './openai-upstream.request';

/**
 * The body for an OpenAI-compatible server: as for OpenAI (the client's bytes unless something
 * must change) when no switch is on; else the JSON without what the server refuses, asking for
 * stream usage only when the server can give it. A stream whose server gives no usage is
 * recorded without counts: the gateway never invents them.
 */
export function openAiCompatibleBody(input: UpstreamBodyInput, switches: OpenAiCompatSwitches): UpstreamBody {
  if (!anySwitchOn(switches)) return openAiUpstreamBody(input);
  const text = Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength).toString('utf8');
  const request = JSON.parse(text) as Record<string, unknown> & { stream_options?: Record<string, unknown> | null };
  const out: Record<string, unknown> = { ...request, model: input.targetModel };
  if (switches.omitParallelToolCalls) delete out.parallel_tool_calls;
  let usageForced = false;
  if (switches.omitStreamOptions) {
    delete out.stream_options;
  } else if (input.stream && !input.includeUsage && !switches.noStreamUsage) {
    out.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
    usageForced = true;
  }
  return { body: JSON.stringify(out), usageForced };
}

/**
 * Headers for an OpenAI-compatible server: the provider's extra headers, and the bearer key only
 * when the provider has one (a local vLLM or Ollama often takes none).
 */
export function openAiCompatibleHeaders(apiKey: string, extraHeaders: Record<string, string> | undefined): Record<string, string> {
  return {
    ...providerHeaderOverrides(extraHeaders),
    'content-type': 'application/json',
    accept: 'application/json',
    ...(apiKey.trim() !== '' ? { authorization: `Bearer ${apiKey.trim()}` } : {}),
  };
}
