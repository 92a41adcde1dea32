import { UsageEvent } from '@ai-gateway/proto';
import { settlementOf } from './spend.settler';

// Every field at its default, as decoded from an empty message.
const base: UsageEvent = { ...UsageEvent.decode(new Uint8Array(0)), requestId: 'req_1', apiKeyId: 'key_1', operation: 'chat', outcome: 'success', httpStatus: 200 };

describe('settlementOf', () => {
  it('settles a routed request to its actual cost and tokens, by serving model and provider', () => {
    const event: UsageEvent = { ...base, requestedModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', provider: 'openai', costUsd: 0.0025, usage: { promptTokens: 100, completionTokens: 50, totalTokens: 150, cachedPromptTokens: 0, reasoningTokens: 0 }, startedAtUnixMs: 1_700_000_000_000, teamId: 'team_1' };
    expect(settlementOf(event)).toEqual({ requestId: 'req_1', apiKeyId: 'key_1', costUsd: 0.0025, tokens: 150, model: 'gpt-4o-2024-08-06', provider: 'openai', startedAtMs: 1_700_000_000_000, teamId: 'team_1' });
  });

  it('releases a routed request that failed: cost 0, no tokens', () => {
    expect(settlementOf({ ...base, requestedModel: 'gpt-4o', outcome: 'error', httpStatus: 502 })).toMatchObject({ costUsd: 0, tokens: 0, model: 'gpt-4o' });
  });

  it('skips a request turned away before admission (no model named), and never settles a negative or non-finite cost', () => {
    expect(settlementOf({ ...base, httpStatus: 429, outcome: 'error', errorType: 'budget_exceeded' })).toBeUndefined();
    expect(settlementOf({ ...base, requestedModel: 'gpt-4o', costUsd: Number.NaN })?.costUsd).toBe(0);
    expect(settlementOf({ ...base, requestedModel: 'gpt-4o', costUsd: -1 })?.costUsd).toBe(0);
  });
});
