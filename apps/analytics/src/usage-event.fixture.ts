import type { Attempt, UsageEvent } from '@ai-gateway/proto';

/** A successful non-streamed chat request served by openai on the first attempt; override what a test needs. */
export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: 'req-1',
    correlationId: '',
    apiKeyId: 'key-1',
    operation: 'chat',
    requestedModel: 'gpt-4o',
    provider: 'openai',
    providerKind: 'openai',
    responseModel: 'gpt-4o-2024-08-06',
    stream: false,
    outcome: 'success',
    httpStatus: 200,
    errorType: '',
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedPromptTokens: 0, reasoningTokens: 0 },
    hasUsage: true,
    costUsd: 0.001,
    startedAtUnixMs: 0,
    durationMs: 500,
    timeToFirstTokenMs: 0,
    attempts: [attempt()],
    ...overrides,
  };
}

export function attempt(overrides: Partial<Attempt> = {}): Attempt {
  return { provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 480, ...overrides };
}
