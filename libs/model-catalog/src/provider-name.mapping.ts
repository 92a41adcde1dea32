/** OTel `gen_ai.provider.name` of a configured provider kind. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  bedrock: 'aws.bedrock',
  'azure-openai': 'azure.ai.openai',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
};

const SAFE_LABEL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function genAiProviderName(kind: string): string {
  if (kind === '') return '';
  return PROVIDER_NAMES[kind] ?? (SAFE_LABEL.test(kind) ? kind : '_OTHER');
}
