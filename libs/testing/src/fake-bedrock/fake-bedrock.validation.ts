// What Bedrock's Converse validation refuses with 400 ValidationException (the checks the
// gateway's translation could get wrong; the real service checks more).

type Json = unknown;
type Verdict = { ok: true } | { ok: false; message: string };

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const BLOCK_KINDS = ['text', 'image', 'toolUse', 'toolResult', 'document', 'cachePoint', 'reasoningContent'];
const IMAGE_FORMATS = ['png', 'jpeg', 'gif', 'webp'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function validateConverse(body: Json): Verdict {
  if (!isObject(body) || !Array.isArray(body.messages) || body.messages.length === 0) return fail('messages must be a non-empty list');
  const messages = body.messages as Json[];
  let hasToolBlocks = false;
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) return fail(`messages.${i}.role must be user or assistant`);
    if (i === 0 && message.role !== 'user') return fail('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    if (i > 0 && (messages[i - 1] as Record<string, Json>).role === message.role) {
      return fail('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
    }
    if (!Array.isArray(message.content) || message.content.length === 0) return fail(`messages.${i}.content must be a non-empty list`);
    for (const block of message.content as Json[]) {
      const verdict = validateBlock(block, message.role as string);
      if (!verdict.ok) return verdict;
      hasToolBlocks ||= isObject(block) && ('toolUse' in block || 'toolResult' in block);
    }
  }
  if (body.system !== undefined && (!Array.isArray(body.system) || !body.system.every((block) => isObject(block) && typeof block.text === 'string'))) {
    return fail('system must be a list of text blocks');
  }
  if (body.toolConfig !== undefined) {
    const verdict = validateToolConfig(body.toolConfig);
    if (!verdict.ok) return verdict;
  } else if (hasToolBlocks) {
    return fail('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  }
  return { ok: true };
}

function validateBlock(block: Json, role: string): Verdict {
  if (!isObject(block)) return fail('a content block must be an object');
  const kinds = Object.keys(block).filter((key) => BLOCK_KINDS.includes(key));
  if (kinds.length !== 1 || Object.keys(block).length !== 1) return fail('a content block must have exactly one member');
  if ('text' in block && (typeof block.text !== 'string' || block.text.trim() === '')) return fail('The text field in the ContentBlock object is blank. Add text to the text field, and try again.');
  if ('image' in block) {
    const image = block.image as Record<string, Json>;
    const bytes = isObject(image?.source) ? image.source.bytes : undefined;
    if (!IMAGE_FORMATS.includes(image?.format as string) || typeof bytes !== 'string' || !BASE64.test(bytes)) return fail('image must have a format and base64 source.bytes');
  }
  if ('toolUse' in block) {
    const toolUse = block.toolUse as Record<string, Json>;
    if (role !== 'assistant' || typeof toolUse?.toolUseId !== 'string' || typeof toolUse.name !== 'string' || !isObject(toolUse.input)) {
      return fail('toolUse blocks belong to assistant messages and need toolUseId, name and an input object');
    }
  }
  if ('toolResult' in block) {
    const result = block.toolResult as Record<string, Json>;
    if (role !== 'user' || typeof result?.toolUseId !== 'string' || !Array.isArray(result.content)) {
      return fail('toolResult blocks belong to user messages and need toolUseId and content');
    }
  }
  return { ok: true };
}

function validateToolConfig(config: Json): Verdict {
  if (!isObject(config) || !Array.isArray(config.tools) || config.tools.length === 0) return fail('toolConfig.tools must be a non-empty list');
  for (const tool of config.tools as Json[]) {
    const spec = isObject(tool) ? tool.toolSpec : undefined;
    if (!isObject(spec) || typeof spec.name !== 'string' || !isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) {
      return fail('each tool needs toolSpec.name and toolSpec.inputSchema.json');
    }
  }
  const choice = config.toolChoice;
  if (choice !== undefined) {
    const keys = isObject(choice) ? Object.keys(choice) : [];
    if (keys.length !== 1 || !['auto', 'any', 'tool'].includes(keys[0])) return fail('toolChoice must be one of auto, any or tool');
    if (keys[0] === 'tool' && typeof (choice as Record<string, Record<string, Json>>).tool?.name !== 'string') return fail('toolChoice.tool needs a name');
  }
  return { ok: true };
}

function fail(message: string): Verdict {
  return { ok: false, message };
}
