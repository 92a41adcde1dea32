// Azure OpenAI streams carry content-filter annotations in chunks an OpenAI client does not
// expect (MicrosoftDocs azure-ai-docs `content-filter-streaming.md`, recorded in
// test/fixtures): a first chunk with `"choices":[]` and only `prompt_filter_results`, and
// (asynchronous filter) annotation chunks whose choices have no `delta`, with
// `"id":"","object":"","model":""` — one of which may carry `finish_reason: "content_filter"`.
// Clients written for OpenAI read `chunk.choices[0].delta`, so the gateway drops what carries
// nothing but annotations, and gives an annotation that ends a choice the stream's own
// id/object/model and an empty delta. Annotations on ordinary chunks pass through untouched.

interface ChoiceShape {
  delta?: unknown;
  finish_reason?: unknown;
}

const CHUNK_OBJECT = 'chat.completion.chunk';

/** Per request: remembers the stream's identity from its ordinary chunks. */
export class AzureStreamReshaper {
  private id = '';
  private model = '';
  private created = 0;

  /** The chunk text to forward, or undefined to drop it. */
  readonly reshape = (chunk: Record<string, unknown>, data: string): string | undefined => {
    this.remember(chunk);
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : [];
    const hasUsage = typeof chunk.usage === 'object' && chunk.usage !== null;
    if (choices.length === 0) return hasUsage ? data : undefined;
    const shaped = choices.map((choice) => (typeof choice === 'object' && choice !== null ? (choice as ChoiceShape) : {}));
    if (shaped.every((choice) => choice.delta !== undefined && choice.delta !== null)) return data;
    const ends = shaped.some((choice) => typeof choice.finish_reason === 'string' && choice.finish_reason !== '');
    if (!ends && !hasUsage) return undefined;
    return JSON.stringify({
      ...chunk,
      id: this.id || chunk.id,
      object: CHUNK_OBJECT,
      created: this.created || chunk.created,
      model: this.model || chunk.model,
      choices: shaped.map((choice) => ({ ...choice, delta: choice.delta ?? {} })),
    });
  };

  private remember(chunk: Record<string, unknown>): void {
    if (!this.id && typeof chunk.id === 'string' && chunk.id !== '') this.id = chunk.id;
    if (!this.model && typeof chunk.model === 'string' && chunk.model !== '') this.model = chunk.model;
    if (!this.created && typeof chunk.created === 'number' && chunk.created > 0) this.created = chunk.created;
  }
}
