// The Models panel's form: text fields → the body of PUT /admin/v1/models/{name}. Empty fields are
// left out (the built-in value stays); anything else must be a number in range, said plainly.

export interface ModelOverrideInput {
  inputUsdPerMTok?: number;
  outputUsdPerMTok?: number;
  contextWindow?: number;
  maxOutputTokens?: number;
  providers?: string[];
}

export interface ModelFormFields {
  inputUsdPerMTok: string;
  outputUsdPerMTok: string;
  contextWindow: string;
  maxOutputTokens: string;
  providers: string;
}

/** The admin API's bounds (libs/model-catalog model-override.validation.ts), checked here for a quicker answer. */
const MAX_USD_PER_MTOK = 10_000;
const MAX_TOKENS = 1_000_000_000;

export function modelOverrideOf(fields: ModelFormFields): { override: ModelOverrideInput } | { error: string } {
  const override: ModelOverrideInput = {};
  for (const [key, label] of [['inputUsdPerMTok', 'Input price'], ['outputUsdPerMTok', 'Output price']] as const) {
    const text = fields[key].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || value > MAX_USD_PER_MTOK) return { error: `${label} must be a number of USD per 1M tokens from 0 to ${MAX_USD_PER_MTOK}.` };
    override[key] = value;
  }
  for (const [key, label, min] of [['contextWindow', 'Context window', 1], ['maxOutputTokens', 'Max output tokens', 0]] as const) {
    const text = fields[key].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > MAX_TOKENS) return { error: `${label} must be a whole number of tokens from ${min} to ${MAX_TOKENS}.` };
    override[key] = value;
  }
  const providers = fields.providers
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (providers.length > 0) override.providers = [...new Set(providers)];
  return { override };
}

/** "$2.50" for prices per 1M tokens; small prices keep their digits. */
export function formatPrice(usdPerMTok: number): string {
  return `$${usdPerMTok >= 0.01 ? usdPerMTok.toFixed(2) : String(usdPerMTok)}`;
}

/** "128K", "1M", "16,384" → compact token counts; 0 is "—" (embedding models produce no output). */
export function formatTokens(tokens: number): string {
  if (tokens <= 0) return '—';
  if (tokens >= 1_000_000 && tokens % 1_000_000 === 0) return `${tokens / 1_000_000}M`;
  if (tokens >= 1_000 && tokens % 1_000 === 0) return `${tokens / 1_000}K`;
  return tokens.toLocaleString('en-US');
}
