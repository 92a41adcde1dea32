import { randomBytes } from 'node:crypto';
import type { FakeBedrockScenario, FakeConverseBlock, FakeConverseReply } from './fake-bedrock.types';

type ConverseBody = {
  messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  toolConfig?: { tools: Array<{ toolSpec: { name: string } }>; toolChoice?: Record<string, { name?: string }> };
};

/** A tool call id the way Bedrock writes them (`tooluse_` + 22 characters). */
export function toolUseId(): string {
  return `tooluse_${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** What the model answers: the scenario's text or tool calls, or (auto) what the request invites. */
export function buildReply(body: ConverseBody, scenario: FakeBedrockScenario): FakeConverseReply {
  const tools = body.toolConfig?.tools.map((tool) => tool.toolSpec.name) ?? [];
  const last = body.messages[body.messages.length - 1];
  const answersToolResult = last?.content.some((block) => 'toolResult' in block) ?? false;
  const images = body.messages.flatMap((message) => message.content).filter((block) => 'image' in block).length;
  let content: FakeConverseBlock[];
  if (scenario.kind === 'text') {
    content = [{ text: scenario.text }];
  } else if (scenario.kind === 'tool_use' || (scenario.kind === 'auto' && tools.length > 0 && !answersToolResult)) {
    const wanted = scenario.kind === 'tool_use' ? scenario.toolCount : 1;
    const named = body.toolConfig?.toolChoice?.tool?.name;
    const chosen = named ? [named] : tools.slice(0, wanted);
    content = [{ text: 'Let me look that up.' }, ...chosen.map((name, i) => ({ toolUse: { toolUseId: toolUseId(), name, input: { city: i === 0 ? 'Paris' : 'Berlin', unit: 'celsius' } } }))];
  } else if (answersToolResult) {
    content = [{ text: 'The tool says it is sunny.' }];
  } else if (images > 0) {
    content = [{ text: `I see ${images} image${images === 1 ? '' : 's'}.` }];
  } else {
    content = [{ text: 'Hello from the fake Bedrock model.' }];
  }
  const inputTokens = 12 + body.messages.length;
  const outputTokens = 9 + content.length;
  return {
    content,
    stopReason: content.some((block) => 'toolUse' in block) ? 'tool_use' : 'end_turn',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens + 5, cacheReadInputTokens: 3, cacheWriteInputTokens: 2 },
  };
}

/** The Converse response body. */
export function converseResponse(reply: FakeConverseReply): object {
  return {
    output: { message: { role: 'assistant', content: reply.content } },
    stopReason: reply.stopReason,
    usage: reply.usage,
    metrics: { latencyMs: 42 },
  };
}

/** The ConverseStream events of a reply, in order: text in pieces, tool input as partial JSON strings. */
export function streamEvents(reply: FakeConverseReply): Array<[string, object]> {
  const events: Array<[string, object]> = [['messageStart', { role: 'assistant' }]];
  reply.content.forEach((block, contentBlockIndex) => {
    if ('text' in block) {
      for (const text of pieces(block.text, 3)) events.push(['contentBlockDelta', { contentBlockIndex, delta: { text } }]);
    } else {
      const { toolUseId: id, name, input } = block.toolUse;
      events.push(['contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId: id, name } } }]);
      for (const piece of pieces(JSON.stringify(input), 4)) events.push(['contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input: piece } } }]);
    }
    events.push(['contentBlockStop', { contentBlockIndex }]);
  });
  events.push(['messageStop', { stopReason: reply.stopReason }]);
  events.push(['metadata', { usage: reply.usage, metrics: { latencyMs: 42 } }]);
  return events;
}

function pieces(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
  return out;
}
