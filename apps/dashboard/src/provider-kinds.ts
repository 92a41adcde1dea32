// What the dashboard knows of each provider kind (CONTRACT.md, provider kinds): its label, the
// base URL a new provider of it starts from, its own fields, and whether its key is a credential
// document (typed into a multi-line field) rather than one line.
import type { Provider } from './admin-api.js';

export interface KindField {
  readonly name: 'project' | 'location' | 'region' | 'apiVersion' | 'deployments';
  readonly label: string;
  readonly hint: string;
  readonly required: boolean;
}

export interface ProviderKindInfo {
  readonly kind: string;
  readonly label: string;
  readonly defaultBaseUrl: string;
  readonly baseUrlHint: string;
  readonly fields: readonly KindField[];
  /** The key is a JSON document (a service account): a multi-line field. */
  readonly credentialJson: boolean;
  readonly keyHint: string;
}

export const PROVIDER_KIND_INFO: readonly ProviderKindInfo[] = [
  {
    kind: 'openai',
    label: 'openai (OpenAI-compatible)',
    defaultBaseUrl: 'https://api.openai.com/v1',
    baseUrlHint: 'OpenAI-compatible URLs end in /v1.',
    fields: [],
    credentialJson: false,
    keyHint: 'The API key.',
  },
  { kind: 'anthropic', label: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com', baseUrlHint: 'Without /v1.', fields: [], credentialJson: false, keyHint: 'The API key.' },
  {
    kind: 'gemini',
    label: 'gemini (Google AI Studio)',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    baseUrlHint: 'Without a version path.',
    fields: [],
    credentialJson: false,
    keyHint: 'The Gemini API key.',
  },
  {
    kind: 'vertex',
    label: 'vertex (Google Vertex AI)',
    defaultBaseUrl: 'https://aiplatform.googleapis.com',
    baseUrlHint: 'The global endpoint, or https://<location>-aiplatform.googleapis.com.',
    fields: [
      { name: 'project', label: 'Project', hint: 'The Google Cloud project id.', required: true },
      { name: 'location', label: 'Location', hint: '"global" or a region, e.g. us-central1.', required: true },
    ],
    credentialJson: true,
    keyHint: "Paste the service account's JSON key file. It is sent once to key-vault and never shown again.",
  },
  {
    kind: 'bedrock',
    label: 'bedrock (AWS Bedrock)',
    defaultBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    baseUrlHint: 'The runtime endpoint of the region (or a VPC endpoint).',
    fields: [{ name: 'region', label: 'Region', hint: 'The AWS region, e.g. us-east-1.', required: true }],
    credentialJson: true,
    keyHint: 'A Bedrock API key, or {"accessKeyId": …, "secretAccessKey": …, "sessionToken"?: …}.',
  },
  {
    kind: 'azure-openai',
    label: 'azure-openai (Azure OpenAI)',
    defaultBaseUrl: '',
    baseUrlHint: 'The resource endpoint, e.g. https://my-resource.openai.azure.com.',
    fields: [
      { name: 'apiVersion', label: 'API version', hint: 'Optional: a date such as 2024-10-21, or v1.', required: false },
      { name: 'deployments', label: 'Deployments', hint: 'model=deployment, comma separated, e.g. gpt-4o=prod-4o.', required: false },
    ],
    credentialJson: true,
    keyHint: 'The api-key, or {"tenantId": …, "clientId": …, "clientSecret": …} for Entra ID.',
  },
];

export function kindInfo(kind: string): ProviderKindInfo {
  return PROVIDER_KIND_INFO.find((info) => info.kind === kind) ?? PROVIDER_KIND_INFO[0];
}

/** "gpt-4o=prod-4o, gpt-4o-mini = mini" → {"gpt-4o": "prod-4o", "gpt-4o-mini": "mini"}; a broken pair is an Error naming it. */
export function parseDeployments(text: string): Record<string, string> {
  const deployments: Record<string, string> = {};
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [model, deployment, ...rest] = pair.split('=').map((part) => part.trim());
    if (!model || !deployment || rest.length > 0) throw new Error(`"${pair}" is not model=deployment`);
    deployments[model] = deployment;
  }
  return deployments;
}

/** The admin body of a kind's fields from the form's text values (empty optional fields left out). */
export function kindFieldsBody(kind: string, values: Readonly<Record<string, string>>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const kindField of kindInfo(kind).fields) {
    const value = (values[kindField.name] ?? '').trim();
    if (!value) continue;
    body[kindField.name] = kindField.name === 'deployments' ? parseDeployments(value) : value;
  }
  return body;
}

/** A provider's kind fields in one line for its row: "project p · location global". */
export function kindFieldsSummary(provider: Provider): string {
  const parts: string[] = [];
  if (provider.project) parts.push(`project ${provider.project}`);
  if (provider.location) parts.push(`location ${provider.location}`);
  if (provider.region) parts.push(`region ${provider.region}`);
  if (provider.apiVersion) parts.push(`api-version ${provider.apiVersion}`);
  const deployments = Object.entries(provider.deployments ?? {});
  if (deployments.length) parts.push(`deployments ${deployments.map(([model, name]) => `${model}→${name}`).join(', ')}`);
  return parts.join(' · ');
}
