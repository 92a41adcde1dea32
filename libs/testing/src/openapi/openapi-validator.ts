// Checks real HTTP answers against an OpenAPI 3.1 description: the status must be described for
// the operation, the content type must be one of the response's media types, and the body must
// match its JSON Schema (draft 2020-12, as OpenAPI 3.1 uses). text/event-stream answers are split
// into events, each checked against the media type's per-event schema and its data's contentSchema.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}

export interface RecordedResponse {
  /** The operation's method and path as described (`GET`, `/admin/v1/providers/{id}`). */
  method: string;
  path: string;
  status: number;
  /** The Content-Type header ('' when none). */
  contentType: string;
  /** The raw body text. */
  body: string;
}

export interface OpenApiValidator {
  /** What is wrong with the response, one line per problem; empty when it conforms. */
  problems(response: RecordedResponse): string[];
}

const DOCUMENT_ID = 'urn:ai-gateway:openapi';

/** JSON Pointer escaping of one path segment. */
const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export function createOpenApiValidator(document: OpenApiDocument): OpenApiValidator {
  // Not strict: OpenAPI documents carry their own annotations (x-*, discriminator, ...) that ajv
  // would refuse as unknown keywords. The document is registered whole; schemas are compiled from
  // it by JSON Pointer, so every `#/components/...` reference resolves as in the document.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };

  /** The object at a `#/...` reference of the document, and its pointer. */
  const resolve = (value: unknown, pointer: string): { value: Record<string, unknown>; pointer: string } => {
    let current = { value: value as Record<string, unknown>, pointer };
    for (let hops = 0; typeof current.value?.$ref === 'string' && hops < 10; hops++) {
      const ref = current.value.$ref as string;
      if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
      const target = ref
        .slice(2)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      current = { value: target as Record<string, unknown>, pointer: ref.slice(1) };
    }
    return current;
  };

  const schemaProblems = (pointer: string, value: unknown): string[] => {
    const validate = validatorAt(pointer);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  };

  return {
    problems(response) {
      const label = `${response.method.toUpperCase()} ${response.path} → ${response.status}`;
      const operationPointer = `/paths/${escape(response.path)}/${response.method.toLowerCase()}`;
      const operation = document.paths?.[response.path]?.[response.method.toLowerCase()] as { responses?: Record<string, unknown> } | undefined;
      if (!operation) return [`${label}: the description has no operation ${response.method.toUpperCase()} ${response.path}`];
      const key = String(response.status) in (operation.responses ?? {}) ? String(response.status) : `${String(response.status)[0]}XX` in (operation.responses ?? {}) ? `${String(response.status)[0]}XX` : 'default';
      if (!operation.responses?.[key]) return [`${label}: status ${response.status} is not described for this operation`];
      const described = resolve(operation.responses[key], `${operationPointer}/responses/${key}`);
      const content = described.value.content as Record<string, Record<string, unknown>> | undefined;
      if (!content) return response.body.length === 0 ? [] : [`${label}: the description has no body for this status, the answer has ${response.body.length} bytes`];
      const mediaType = response.contentType.split(';')[0].trim().toLowerCase();
      const media = content[mediaType];
      if (!media) return [`${label}: content type "${response.contentType}" is not one of ${Object.keys(content).join(', ')}`];
      const mediaPointer = `${described.pointer}/content/${escape(mediaType)}`;
      if (mediaType === 'text/event-stream') {
        // OpenAPI 3.1 has no itemSchema: the media type's schema describes each event ({data, event?, id?});
        // JSON data is checked against the `contentSchema` of `data`, `[DONE]` being the one non-JSON data.
        const eventPointer = `${mediaPointer}/schema`;
        const dataSchema = (resolve(media.schema, eventPointer).value?.properties as Record<string, Record<string, unknown>> | undefined)?.data;
        if (!dataSchema) return [`${label}: text/event-stream without a per-event schema describing data`];
        // The JSON in `data`: its contentSchema, on data itself or on the branch of anyOf/oneOf that has one.
        const branches = ['anyOf', 'oneOf'].flatMap((k) => ((dataSchema[k] as Array<Record<string, unknown>> | undefined) ?? []).map((b, i) => ({ b, at: `/${k}/${i}` })));
        const content = dataSchema.contentSchema ? { at: '' } : branches.find(({ b }) => b.contentSchema);
        if (!content) return [`${label}: text/event-stream data without a contentSchema`];
        const contentPointer = `${eventPointer}/properties/data${content.at}/contentSchema`;
        return events(response.body).flatMap((event, index) => {
          const problems = schemaProblems(eventPointer, event).map((problem) => `${label}: event ${index}: ${problem}`);
          if (event.data === '[DONE]') return problems;
          let value: unknown;
          try {
            value = JSON.parse(event.data);
          } catch {
            return [...problems, `${label}: event ${index} is not JSON: ${event.data.slice(0, 200)}`];
          }
          return [...problems, ...schemaProblems(contentPointer, value).map((problem) => `${label}: event ${index}: ${problem}`)];
        });
      }
      if (!media.schema) return [];
      let value: unknown;
      try {
        value = JSON.parse(response.body);
      } catch {
        return [`${label}: the body is not JSON: ${response.body.slice(0, 200)}`];
      }
      return schemaProblems(`${mediaPointer}/schema`, value).map((problem) => `${label}: ${problem}`);
    },
  };
}

/** The server-sent events of a stream: fields as the SSE standard reads them (multi-line data joined with \n). */
export function events(stream: string): Array<{ data: string; event?: string; id?: string }> {
  const out: Array<{ data: string; event?: string; id?: string }> = [];
  for (const block of stream.split(/\r?\n\r?\n/)) {
    const data: string[] = [];
    const event: { data: string; event?: string; id?: string } = { data: '' };
    for (const line of block.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon === 0 || line.length === 0) continue;
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event' || field === 'id') event[field] = value;
    }
    if (data.length === 0) continue;
    event.data = data.join('\n');
    out.push(event);
  }
  return out;
}
