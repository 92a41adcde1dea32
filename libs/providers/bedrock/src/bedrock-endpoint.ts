import type { BedrockOperation } from './bedrock.types';

/** The provider's settings this kind reads (ProviderTarget.settings: ProviderSettings.region). */
export interface BedrockSettings {
  region?: string;
}

/** The provider's endpoint cannot be known from its settings (an operator's configuration error). */
export class BedrockEndpointError extends Error {}

export interface BedrockEndpoint {
  /** Origin plus any path prefix, without a trailing slash. */
  baseUrl: string;
  /** The SigV4 signing region. */
  region: string;
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const RUNTIME_HOST = /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Where to send: `baseUrl` when set (the endpoint override, e.g. a VPC endpoint or a test fake;
 * BEDROCK_ENDPOINT_URL at first start), else `https://bedrock-runtime.{region}.amazonaws.com`.
 * The region comes from the provider's settings, else from a standard runtime host name.
 */
export function bedrockEndpoint(baseUrl: string, settings: BedrockSettings | undefined): BedrockEndpoint {
  const override = baseUrl.trim().replace(/\/+$/, '');
  const region = settings?.region?.trim() || regionOfHost(override);
  if (!region) throw new BedrockEndpointError('the Bedrock provider has no region (settings.region)');
  if (!AWS_REGION.test(region)) throw new BedrockEndpointError('the Bedrock provider\'s region is not an AWS region name');
  return { baseUrl: override || `https://bedrock-runtime.${region}.amazonaws.com`, region };
}

/** `/model/{modelId}/{operation}`; the id (an inference-profile ARN has `:` and `/`) is one encoded path segment. */
export function bedrockModelPath(modelId: string, operation: BedrockOperation): string {
  return `/model/${encodePathSegment(modelId)}/${operation}`;
}

/** encodeURIComponent plus the characters it leaves (RFC 3986 reserved), as the AWS SDK encodes labels. */
function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function regionOfHost(url: string): string | undefined {
  if (!url) return undefined;
  try {
    return RUNTIME_HOST.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}
