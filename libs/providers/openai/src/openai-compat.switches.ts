import type { ProviderSettings } from '@ai-gateway/proto';

/**
 * What an OpenAI-compatible server (vLLM, Ollama, TGI, LiteLLM, Groq, ...) does not take, from
 * the provider's settings. All off is OpenAI's own behaviour.
 */
export interface OpenAiCompatSwitches {
  /** The server refuses `stream_options`: removed; the gateway cannot ask for usage in streams. */
  omitStreamOptions: boolean;
  /** The server refuses `parallel_tool_calls`: removed. */
  omitParallelToolCalls: boolean;
  /** The server sends no usage in streams even when asked: the gateway does not ask on the client's behalf. */
  noStreamUsage: boolean;
}

export const OPENAI_DEFAULT_SWITCHES: OpenAiCompatSwitches = { omitStreamOptions: false, omitParallelToolCalls: false, noStreamUsage: false };

export function openAiCompatSwitchesOf(settings: ProviderSettings | undefined): OpenAiCompatSwitches {
  return {
    omitStreamOptions: settings?.omitStreamOptions === true,
    omitParallelToolCalls: settings?.omitParallelToolCalls === true,
    noStreamUsage: settings?.noStreamUsage === true,
  };
}

export function anySwitchOn(switches: OpenAiCompatSwitches): boolean {
  return switches.omitStreamOptions || switches.omitParallelToolCalls || switches.noStreamUsage;
}
