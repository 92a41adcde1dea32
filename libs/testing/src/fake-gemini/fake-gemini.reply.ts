import type { FakeGeminiScenario, GeminiWirePart, GeminiWireRequest, GeminiWireResponse } from './fake-gemini.types';
import { responseId, thoughtSignature } from './fake-gemini.wire';

/** Whether the model is a thinking model that signs its function calls (Gemini 2.5 and later). */
export function signsFunctionCalls(model: string): boolean {
  return /^gemini-(2\.5|[3-9])/.test(model);
}

/** The answer a model would plausibly give, by scenario; text is cut at maxOutputTokens words. */
export function buildReply(request: GeminiWireRequest, model: string, scenario: FakeGeminiScenario, sign: (signature: string) => void): GeminiWireResponse {
  const promptTokenCount = Math.max(1, Math.ceil(JSON.stringify(request.contents).length / 4));
  const envelope = { modelVersion: model, responseId: responseId() };
  if (scenario.kind === 'blocked') return { ...envelope, promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount } };
  let parts = replyParts(request, model, scenario, sign);
  const words = parts.flatMap((part) => (part.text !== undefined ? part.text.split(/(?<= )/) : []));
  const limit = request.generationConfig?.maxOutputTokens;
  const truncated = limit !== undefined && words.length > limit;
  if (truncated) parts = [{ text: words.slice(0, limit).join('') }];
  const candidatesTokenCount = Math.max(1, Math.ceil(JSON.stringify(parts).length / 4));
  const thoughtsTokenCount = signsFunctionCalls(model) ? 12 : 0;
  return {
    ...envelope,
    candidates: [{ content: { role: 'model', parts }, finishReason: truncated ? 'MAX_TOKENS' : 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount + thoughtsTokenCount,
      ...(thoughtsTokenCount ? { thoughtsTokenCount } : {}),
    },
  };
}

function replyParts(request: GeminiWireRequest, model: string, scenario: FakeGeminiScenario, sign: (signature: string) => void): GeminiWirePart[] {
  if (scenario.kind === 'text') return [{ text: scenario.text }];
  const lastTurn = request.contents[request.contents.length - 1];
  const responses = lastTurn.role === 'user' ? lastTurn.parts.filter((part) => part.functionResponse) : [];
  const declarations = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations);
  const mode = request.toolConfig?.functionCallingConfig.mode;
  if (scenario.kind === 'function_calls' || (responses.length === 0 && declarations.length > 0 && mode !== 'NONE')) {
    const allowed = request.toolConfig?.functionCallingConfig.allowedFunctionNames;
    const candidates = allowed ? declarations.filter((declaration) => allowed.includes(declaration.name)) : declarations;
    const count = Math.min(candidates.length, scenario.kind === 'function_calls' ? scenario.count : 2);
    return candidates.slice(0, count).map((declaration, i) => {
      const part: GeminiWirePart = { functionCall: { name: declaration.name, args: sampleArgs(declaration.parameters ?? declaration.parametersJsonSchema ?? {}) } };
      if (i === 0 && signsFunctionCalls(model)) {
        part.thoughtSignature = thoughtSignature();
        sign(part.thoughtSignature);
      }
      return part;
    });
  }
  if (responses.length > 0) {
    return [{ text: `Thanks, the tools said: ${responses.map((part) => `${part.functionResponse?.name} ${JSON.stringify(part.functionResponse?.response)}`).join('; ')}.` }];
  }
  const said = lastTurn.parts.map((part) => part.text ?? (part.inlineData ? `[image ${part.inlineData.mimeType}]` : part.fileData ? `[file ${part.fileData.fileUri}]` : '')).join(' ');
  return [{ text: `Hello from the fake Gemini model. You said: ${said}` }];
}

/** A value for every property of a Gemini Schema object or JSON Schema, by its declared type. */
function sampleArgs(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, sampleValue(name, property)]));
}

function sampleValue(name: string, property: { type?: string; enum?: unknown[] }): unknown {
  if (property.enum && property.enum.length > 0) return property.enum[0];
  // The Schema object's types are upper-case (`STRING`), JSON Schema's lower-case (`string`).
  switch (typeof property.type === 'string' ? property.type.toUpperCase() : undefined) {
    case 'NUMBER':
    case 'INTEGER':
      return 1;
    case 'BOOLEAN':
      return true;
    case 'ARRAY':
      return [];
    case 'OBJECT':
      return {};
    default:
      return `example ${name}`;
  }
}

/** The answer as the stream events `alt=sse` sends: text word by word, each function call whole, the finish reason and final usage last. */
export function streamEvents(reply: GeminiWireResponse): GeminiWireResponse[] {
  const { candidates, usageMetadata, ...envelope } = reply;
  const candidate = candidates?.[0];
  if (!candidate) return [reply];
  const partial = { promptTokenCount: usageMetadata.promptTokenCount, totalTokenCount: usageMetadata.promptTokenCount };
  const pieces: GeminiWirePart[] = candidate.content.parts.flatMap((part) =>
    part.text !== undefined ? part.text.split(/(?<= )/).filter((word) => word !== '').map((text) => ({ text })) : [part],
  );
  const last = pieces.pop() ?? { text: '' };
  return [
    ...pieces.map((part) => ({ ...envelope, candidates: [{ content: { role: 'model' as const, parts: [part] }, index: 0 }], usageMetadata: partial })),
    { ...envelope, candidates: [{ content: { role: 'model', parts: [last] }, finishReason: candidate.finishReason, index: 0 }], usageMetadata },
  ];
}
