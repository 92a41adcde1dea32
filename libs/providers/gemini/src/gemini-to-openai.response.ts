import type { ChatCompletion, TranslationTarget } from '@ai-gateway/openai-api';
import { completionId, firstCandidateParts, isGenerateContentResponse, readCandidateParts } from './gemini-candidate';
import { toFinishReason } from './gemini-finish-reason';
import { toOpenAiUsage } from './gemini-usage';

/**
 * A generateContent answer as an OpenAI chat completion. A prompt Gemini blocked (promptFeedback
 * blockReason, no candidate) is an empty answer with finish_reason `content_filter`, as OpenAI
 * reports filtered output. Throws on a body that is no generateContent answer.
 */
export function toOpenAiChatCompletion(body: unknown, target: TranslationTarget, nowMs: () => number = Date.now): ChatCompletion {
  if (!isGenerateContentResponse(body)) throw new TypeError('not a generateContent answer');
  const candidate = body.candidates?.[0];
  const { text, toolCalls } = readCandidateParts(firstCandidateParts(body), body.responseId, 0);
  const blocked = candidate === undefined && body.promptFeedback?.blockReason !== undefined;
  return {
    id: completionId(body.responseId),
    object: 'chat.completion',
    created: Math.floor(nowMs() / 1000),
    model: body.modelVersion || target.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text !== '' ? text : null, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: blocked ? 'content_filter' : toFinishReason(candidate?.finishReason, toolCalls.length > 0),
      },
    ],
    usage: toOpenAiUsage(body.usageMetadata ?? {}),
  };
}
