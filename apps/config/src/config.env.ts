import { COMMON_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const CONFIG_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  GRPC_PORT: { type: 'port', default: 50052 },
  NATS_URL: { type: 'string', required: true },
  KV_REPLICAS: { type: 'int', default: 1, min: 1, max: 5 },
  OPENAI_BASE_URL: { type: 'url', default: 'https://api.openai.com/v1' },
  ANTHROPIC_BASE_URL: { type: 'url', default: 'https://api.anthropic.com' },
  GEMINI_BASE_URL: { type: 'url', default: 'https://generativelanguage.googleapis.com' },
  /** Bedrock's runtime endpoint; its region is read from the host, else AWS_REGION. */
  BEDROCK_ENDPOINT_URL: { type: 'string', default: '' },
  AWS_REGION: { type: 'string', default: 'us-east-1' },
  /** An Azure OpenAI resource endpoint: seeds an `azure-openai` provider when set (Azure has no public default). */
  AZURE_OPENAI_ENDPOINT: { type: 'string', default: '' },
  /** Hosts an existing provider's base URL may move to without "confirmKeyRedirect" (provider-redirect.policy.ts). */
  PROVIDER_HOST_ALLOWLIST: { type: 'string', default: '' },
  /** A JSON file of routing policies (the admin API's shape), applied at every start; empty: none. */
  ROUTING_POLICIES_FILE: { type: 'string', default: '' },
} as const;

export const readConfigEnv = (env: Environment) => readEnv(CONFIG_ENV, env);
export type ConfigEnv = ReturnType<typeof readConfigEnv>;
