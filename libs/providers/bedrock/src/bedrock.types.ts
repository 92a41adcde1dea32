// The Bedrock Runtime Converse / ConverseStream / InvokeModel wire shapes the gateway reads and
// writes (PROVIDERS.md §4; AWS Bedrock API reference "Converse", "ConverseStreamOutput";
// aws/aws-sdk-js-v3 clients/client-bedrock-runtime models). Only what the gateway touches is typed.

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface BedrockTextBlock {
  text: string;
}

/** `bytes` is base64 in the JSON wire form (the SDK encodes its Uint8Array that way). */
export interface BedrockImageBlock {
  image: { format: BedrockImageFormat; source: { bytes: string } };
}

export interface BedrockToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export type BedrockToolResultContent = BedrockTextBlock | { json: unknown } | BedrockImageBlock;

export interface BedrockToolResultBlock {
  toolResult: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'success' | 'error' };
}

export type BedrockContentBlock = BedrockTextBlock | BedrockImageBlock | BedrockToolUseBlock | BedrockToolResultBlock;

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export interface BedrockToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface BedrockToolConfig {
  tools: BedrockToolSpec[];
  toolChoice?: BedrockToolChoice;
}

export interface BedrockInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockTextBlock[];
  inferenceConfig?: BedrockInferenceConfig;
  toolConfig?: BedrockToolConfig;
}

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output: { message: { role: 'assistant'; content: Array<Record<string, unknown>> } };
  stopReason: string;
  usage?: BedrockUsage;
  metrics?: { latencyMs?: number };
}

/** The ConverseStream events (`:event-type` header), each frame's JSON payload. */
export interface BedrockStreamEvents {
  messageStart: { role: string };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: { contentBlockIndex: number; delta: { text?: string; toolUse?: { input: string } } };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: string };
  metadata: { usage?: BedrockUsage; metrics?: { latencyMs?: number } };
}

/** The last segment of `/model/{modelId}/{operation}`: Converse, ConverseStream, InvokeModel. */
export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke';
