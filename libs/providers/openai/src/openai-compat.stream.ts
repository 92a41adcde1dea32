/**
 * A stream reshaper (OpenAiStreamParserOptions.reshape) for OpenAI-compatible servers whose
 * usage chunk is not OpenAI's `"choices": []`: LiteLLM's proxy sends the counts in a chunk with
 * one empty choice (`{"index":0,"delta":{}}`). When the gateway asked for usage on the client's
 * behalf, such a chunk is the usage chunk and is not the client's to see; otherwise chunks pass.
 */
export function compatUsageChunkReshaper(usageForced: boolean): ((chunk: Record<string, unknown>, data: string) => string | undefined) | undefined {
  if (!usageForced) return undefined;
  return (chunk, data) => (isEmptyUsageChunk(chunk) ? undefined : data);
}

function isEmptyUsageChunk(chunk: Record<string, unknown>): boolean {
  if (typeof chunk.usage !== 'object' || chunk.usage === null || !Array.isArray(chunk.choices)) return false;
  return chunk.choices.every((choice: unknown) => {
    if (typeof choice !== 'object' || choice === null) return true;
    const { delta, finish_reason: finish } = choice as { delta?: unknown; finish_reason?: unknown };
    const emptyDelta = delta === undefined || delta === null || (typeof delta === 'object' && Object.values(delta).every((value) => value === null || value === '' || (Array.isArray(value) && value.length === 0)));
    return emptyDelta && (finish === undefined || finish === null);
  });
}
