import type { GeminiSchema } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

// OpenAI tools and response_format carry JSON Schema; Gemini's `parameters` and
// `responseSchema` take its Schema object, an OpenAPI 3.0 subset (ai.google.dev/api/caching#Schema),
// and answer 400 "Unknown name" for any other keyword. The policy, keyword by keyword:
// - kept: what the Schema object defines (types upper-cased);
// - rewritten: `type: [T, "null"]` → `type: T, nullable: true`; `const: "x"` → `enum: ["x"]`;
// - dropped: annotations and constraints Gemini does not check but whose absence only widens what
//   the schema accepts (`additionalProperties`, `$schema`, `examples`, `multipleOf`, ...) — OpenAI's
//   strict mode puts `additionalProperties: false` on every object, so refusing it would refuse
//   every strict client;
// - refused with a 400 naming the schema path: keywords whose meaning Gemini cannot express and
//   that dropping would change (`$ref`, `oneOf`, `allOf`, `not`, conditionals, type unions).

/** Gemini refuses deeper schemas; the bound also keeps the walk's recursion small. */
export const MAX_SCHEMA_DEPTH = 32;

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

const PLAIN_KEYWORDS = new Set([
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'default',
  'minimum',
  'maximum',
  'propertyOrdering',
]);

const REFUSED_KEYWORDS: Readonly<Record<string, string>> = {
  $ref: 'schema references ($ref) are not supported by Gemini; inline the referenced schema',
  $defs: 'schema definitions ($defs) are not supported by Gemini; inline them',
  definitions: 'schema definitions are not supported by Gemini; inline them',
  oneOf: 'oneOf is not supported by Gemini; use anyOf',
  allOf: 'allOf is not supported by Gemini; merge the schemas',
  not: 'not is not supported by Gemini',
  if: 'conditional schemas (if/then/else) are not supported by Gemini',
  then: 'conditional schemas (if/then/else) are not supported by Gemini',
  else: 'conditional schemas (if/then/else) are not supported by Gemini',
  patternProperties: 'patternProperties is not supported by Gemini',
  dependentSchemas: 'dependentSchemas is not supported by Gemini',
  prefixItems: 'tuple schemas (prefixItems) are not supported by Gemini',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON Schema as Gemini's Schema object; throws a 400 naming `param` + the path of what Gemini cannot take. */
export function toGeminiSchema(schema: unknown, param: string, depth = 0): GeminiSchema {
  if (!isObject(schema)) throw invalidParameter(param, `${param} must be a JSON schema object.`);
  if (depth > MAX_SCHEMA_DEPTH) throw invalidParameter(param, `The schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep, more than Gemini accepts.`);
  const out: GeminiSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${param}.${keyword}`;
    if (Object.hasOwn(REFUSED_KEYWORDS, keyword)) throw invalidParameter(at, `${at}: ${REFUSED_KEYWORDS[keyword]}.`);
    switch (keyword) {
      case 'type':
        Object.assign(out, geminiType(value, at));
        break;
      case 'const':
        if (typeof value !== 'string') throw invalidParameter(at, `${at}: Gemini takes only string constants (as an enum).`);
        out.enum = [value];
        break;
      case 'properties':
        if (!isObject(value)) throw invalidParameter(at, `${at} must be an object of schemas.`);
        out.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, toGeminiSchema(property, `${at}.${name}`, depth + 1)]));
        break;
      case 'items':
        out.items = toGeminiSchema(value, at, depth + 1);
        break;
      case 'anyOf':
        if (!Array.isArray(value)) throw invalidParameter(at, `${at} must be an array of schemas.`);
        out.anyOf = value.map((option, i) => toGeminiSchema(option, `${at}[${i}]`, depth + 1));
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) throw invalidParameter(at, `${at} must be an array of property names.`);
        out.required = value;
        break;
      default:
        if (PLAIN_KEYWORDS.has(keyword)) out[keyword] = value;
      // Anything else is an annotation or a constraint Gemini does not check: dropped (see above).
    }
  }
  return out;
}

function geminiType(value: unknown, at: string): { type: string; nullable?: true } {
  const names = Array.isArray(value) ? value : [value];
  if (!names.every((name): name is string => typeof name === 'string' && TYPES.has(name))) {
    throw invalidParameter(at, `${at} must be one of ${[...TYPES].join(', ')} (or an array of one of them and "null").`);
  }
  const nonNull = names.filter((name) => name !== 'null');
  if (nonNull.length > 1) throw invalidParameter(at, `${at}: a union of types is not supported by Gemini; use anyOf.`);
  if (nonNull.length === 0) return { type: 'NULL' };
  return { type: nonNull[0].toUpperCase(), ...(names.length > nonNull.length ? { nullable: true as const } : {}) };
}
