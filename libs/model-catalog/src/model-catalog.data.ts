/*
 * Known models per provider kind: each kind's entries live in model-catalog.<kind>.data.ts,
 * which names its sources (BerriAI/litellm `model_prices_and_context_window.json` for prices,
 * the providers' model pages for ids).
 *
 * Entries of different kinds that share a canonical name are the same model; a name that
 * resolves to one of them resolves to all (gpt-4o from OpenAI or Azure OpenAI, claude-3-5-sonnet
 * from Anthropic or Bedrock), which is what a fallback between providers relies on.
 */
import type { CatalogModel } from './catalog-model.types';
import { ANTHROPIC_MODELS } from './model-catalog.anthropic.data';
import { AZURE_OPENAI_MODELS } from './model-catalog.azure-openai.data';
import { BEDROCK_MODELS } from './model-catalog.bedrock.data';
import { GEMINI_MODELS } from './model-catalog.gemini.data';
import { OPENAI_MODELS } from './model-catalog.openai.data';
import { OPENAI_COMPATIBLE_MODELS } from './model-catalog.openai-compatible.data';

export const MODEL_CATALOG: readonly CatalogModel[] = [
  ...OPENAI_MODELS,
  ...ANTHROPIC_MODELS,
  ...BEDROCK_MODELS,
  ...GEMINI_MODELS,
  ...AZURE_OPENAI_MODELS,
  ...OPENAI_COMPATIBLE_MODELS,
];
