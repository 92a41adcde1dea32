// Gemini generateContent wire types (PROVIDERS.md §3; ai.google.dev/api/generate-content,
// googleapis/js-genai `src/types.ts`). The REST API speaks lowerCamelCase JSON. Only what the
// gateway reads or writes is typed.

export interface GeminiInlineData {
  mimeType: string;
  /** Base64 bytes. */
  data: string;
}

export interface GeminiFunctionCall {
  name: string;
  args?: Record<string, unknown>;
  /** Set by some models; absent on most AI Studio answers. */
  id?: string;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
}

export interface GeminiPart {
  text?: string;
  inlineData?: GeminiInlineData;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  /** A thought summary (text of the model's reasoning), not answer text. */
  thought?: boolean;
  /** Opaque, base64: must travel back with the part it came on (Gemini 3 function calls). */
  thoughtSignature?: string;
}

export type GeminiRole = 'user' | 'model';

export interface GeminiContent {
  role: GeminiRole;
  parts: GeminiPart[];
}

/** Gemini's Schema object (an OpenAPI 3.0 subset): types in upper case, `nullable` instead of type unions. */
export type GeminiSchema = Record<string, unknown>;

/** JSON Schema within the keywords Gemini supports (openai-to-gemini.json-schema.ts): lower-case types, `additionalProperties`. */
export type GeminiJsonSchema = Record<string, unknown>;

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** The OpenAPI-style Schema subset Gemini accepts on every model (openai-to-gemini.schema.ts). */
  parameters?: GeminiSchema;
  /** For what the Schema subset cannot express; mutually exclusive with `parameters`. */
  parametersJsonSchema?: GeminiJsonSchema;
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiToolConfig {
  functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  /** For what the Schema subset cannot express; mutually exclusive with `responseSchema`, needs `responseMimeType`. */
  responseJsonSchema?: GeminiJsonSchema;
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: 'low' | 'high' };
}

export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/** google.rpc.Status as the REST API sends it, in an error answer or as a stream event. */
export interface GeminiErrorStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown> & { '@type'?: string }>;
}

export interface GeminiEmbedContentRequest {
  model: string;
  content: { parts: Array<{ text: string }> };
  outputDimensionality?: number;
}

export interface GeminiBatchEmbedContentsResponse {
  embeddings?: Array<{ values?: number[] }>;
}
