import type { BedrockContentBlock, BedrockMessage } from './bedrock.types';

/**
 * A turn with its toolUse and toolResult blocks told as text. Converse refuses such blocks in a
 * request without a toolConfig, and a request offers none when the client sends no tools (a
 * summary turn after tool use) or tool_choice "none" (Converse has no "none"): the model still
 * reads what was called and answered, and cannot call a tool.
 */
export function toolBlocksAsText(message: BedrockMessage): BedrockMessage {
  return { ...message, content: message.content.map(asText) };
}

function asText(block: BedrockContentBlock): BedrockContentBlock {
  if ('toolUse' in block) {
    const { name, toolUseId, input } = block.toolUse;
    return { text: `[tool call ${toolUseId}: ${name}(${JSON.stringify(input)})]` };
  }
  if ('toolResult' in block) {
    const { toolUseId, content, status } = block.toolResult;
    const texts = content.map((part) => ('text' in part ? part.text : '[non-text content]'));
    return { text: `[result of tool call ${toolUseId}${status === 'error' ? ' (error)' : ''}: ${texts.join('\n')}]` };
  }
  return block;
}
