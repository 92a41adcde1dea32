// Checks real HTTP answers against an OpenAPI 3.1 description: the status must be described for
// the operation, the content type must be one of the response's media types, and the body must
// match its JSON Schema (draft 2020-12, as OpenAPI 3.1 uses). text/event-stream answers are split
// into events and each event's data is checked against the media type's `x-event-data` schema.
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
        if (!media['x-event-data']) return [`${label}: text/event-stream without an x-event-data schema`];
        return eventData(response.body).flatMap((data, index) => {
          let value: unknown = data;
          if (data !== '[DONE]') {
            try {
              value = JSON.parse(data);
            } catch {
              return [`${label}: event ${index} is not JSON: ${data.slice(0, 200)}`];
            }
          }
          return schemaProblems(`${mediaPointer}/x-event-data`, value).map((problem) => `${label}: event ${index}: ${problem}`);
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

/** The data of each server-sent event (multi-line data joined with \n, as the SSE standard says). */
export function eventData(stream: string): string[] {
  return stream
    .split(/\r?\n\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data.length > 0);
}
