import type { GeminiGenerationConfig } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

// OpenAI `reasoning_effort` as Gemini's thinking configuration, as Google's own OpenAI
// compatibility layer maps it (ai.google.dev/gemini-api/docs/openai#thinking): Gemini 3 takes a
// level (low; medium and high → high), Gemini 2.5 a token budget (minimal/low 1,024, medium 8,192,
// high 24,576; none turns thinking off where the model allows it — 2.5 Pro always thinks, at
// least 128 tokens). Models that do not think refuse the parameter, as OpenAI's do.

const BUDGETS: Readonly<Record<string, number>> = { minimal: 1_024, low: 1_024, medium: 8_192, high: 24_576 };
const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'];
const PRO_MIN_BUDGET = 128;

export function toThinkingConfig(effort: unknown, model: string): Pick<GeminiGenerationConfig, 'thinkingConfig'> {
  if (effort == null) return {};
  if (typeof effort !== 'string' || !EFFORTS.includes(effort)) throw invalidParameter('reasoning_effort', `reasoning_effort must be one of ${EFFORTS.join(', ')}.`);
  const major = Number(/(?:^|\/)gemini-(\d+(?:\.\d+)?)/.exec(model)?.[1] ?? 0);
  if (major >= 3) return { thinkingConfig: { thinkingLevel: effort === 'none' || effort === 'minimal' || effort === 'low' ? 'low' : 'high' } };
  if (major >= 2.5) {
    if (effort === 'none') return { thinkingConfig: { thinkingBudget: /-pro\b/.test(model) ? PRO_MIN_BUDGET : 0 } };
    return { thinkingConfig: { thinkingBudget: BUDGETS[effort] } };
  }
  throw invalidParameter('reasoning_effort', `Parameter 'reasoning_effort' is not supported by this model: ${model.slice(0, 64)} does not think before answering.`);
}
