import type { GeminiSchema } from './gemini.types';
import { invalidParameter } from './invalid-parameter';
import { isObject, JSON_TYPES, startWalk, type SchemaWalk, convertNode, INEXPRESSIBLE_KEYWORDS } from './openai-to-gemini.schema-walk';

// OpenAI tools and response_format carry JSON Schema; Gemini's `parameters` and
// `responseSchema` take its Schema object, an OpenAPI 3.0 subset (ai.google.dev/api/caching#Schema),
// and answer 400 "Unknown name" for any other keyword. The policy, keyword by keyword:
// - kept: what the Schema object defines (types upper-cased);
// - rewritten: `type: [T, "null"]` → `type: T, nullable: true`; `const: "x"` → `enum: ["x"]`;
//   a local reference (`$ref: "#/$defs/Name"`, as Pydantic and zod emit for nested models) →
//   the definition inlined, unless it refers to itself (Gemini's schema has no recursion);
// - dropped: annotations and constraints Gemini does not check but whose absence only widens what
//   the schema accepts (`additionalProperties`, `$schema`, `examples`, `multipleOf`, ...) — OpenAI's
//   strict mode puts `additionalProperties: false` on every object, so refusing it would refuse
//   every strict client; likewise a `format` the Schema does not list for the node's type (`uri`,
//   `email`, `uuid`: Gemini answers 400) and an `enum` on anything but strings (Schema.enum is
//   `string[]`, for Type.STRING);
// - refused with a 400 naming the schema path: keywords whose meaning Gemini cannot express and
//   that dropping would change (remote or recursive `$ref`, `oneOf`, `allOf`, `not`,
//   conditionals, type unions), and an object without properties (a free-form map such as
//   Pydantic's `dict[str, str]`, or `properties: {}`): Gemini answers 400 "properties: should be
//   non-empty for OBJECT type", and no Schema object means "any keys". (A tool's parameters
//   without properties declare a function without arguments instead: openai-to-gemini.tools.ts.)
//   Such a schema is then sent as JSON Schema, if it can be (openai-to-gemini.schema-field.ts).

export { MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES } from './openai-to-gemini.schema-walk';

/** The formats the Schema object lists for each type (ai.google.dev/api/caching#Schema). */
const FORMATS: Readonly<Record<string, ReadonlySet<unknown>>> = {
  NUMBER: new Set(['float', 'double']),
  INTEGER: new Set(['int32', 'int64']),
  STRING: new Set(['enum', 'date-time']),
};

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
  ...INEXPRESSIBLE_KEYWORDS,
  oneOf: 'oneOf is not supported by Gemini; use anyOf',
  allOf: 'allOf is not supported by Gemini; merge the schemas',
  prefixItems: 'tuple schemas (prefixItems) are not supported by Gemini',
};

/** A JSON Schema as Gemini's Schema object; throws a 400 naming `param` + the path of what Gemini cannot take. */
export function toGeminiSchema(schema: unknown, param: string): GeminiSchema {
  return convert(schema, param, 0, startWalk(schema, param));
}

function convert(value: unknown, param: string, depth: number, walk: SchemaWalk): GeminiSchema {
  return convertNode(value, param, depth, walk, (schema, at, level) => convertKeywords(schema, at, level, walk), withinTypeLimits);
}

function convertKeywords(schema: Record<string, unknown>, param: string, depth: number, walk: SchemaWalk): GeminiSchema {
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
        out.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, convert(property, `${at}.${name}`, depth + 1, walk)]));
        break;
      case 'items':
        out.items = convert(value, at, depth + 1, walk);
        break;
      case 'anyOf':
        if (!Array.isArray(value)) throw invalidParameter(at, `${at} must be an array of schemas.`);
        out.anyOf = value.map((option, i) => convert(option, `${at}[${i}]`, depth + 1, walk));
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) throw invalidParameter(at, `${at} must be an array of property names.`);
        out.required = value;
        break;
      default:
        if (PLAIN_KEYWORDS.has(keyword)) out[keyword] = value;
      // Anything else ($defs, annotations, constraints Gemini does not check) is dropped (see above).
    }
  }
  return out;
}

/** The node without a `format` or `enum` its type cannot take; throws for an object without properties. */
function withinTypeLimits(schema: GeminiSchema, param: string): GeminiSchema {
  const { format, enum: values, ...rest } = schema;
  const type = typeof schema.type === 'string' ? schema.type : undefined;
  if (type === 'OBJECT' && !(isObject(schema.properties) && Object.keys(schema.properties).length > 0)) {
    throw invalidParameter(param, `${param}: an object without properties (a free-form map or an empty object) is not supported by Gemini; declare its properties.`);
  }
  const keepsFormat = type !== undefined && FORMATS[type]?.has(format) === true;
  // A null among the values of a nullable node is what `nullable` already says.
  const options = Array.isArray(values) ? values.filter((value) => !(value === null && schema.nullable === true)) : [];
  const keepsEnum = (type === undefined || type === 'STRING') && options.length > 0 && options.every((value) => typeof value === 'string');
  return { ...rest, ...(keepsFormat ? { format } : {}), ...(keepsEnum ? { enum: options } : {}) };
}

function geminiType(value: unknown, at: string): { type: string; nullable?: true } {
  const names = Array.isArray(value) ? value : [value];
  if (!names.every((name): name is string => typeof name === 'string' && JSON_TYPES.has(name))) {
    throw invalidParameter(at, `${at} must be one of ${[...JSON_TYPES].join(', ')} (or an array of one of them and "null").`);
  }
  const nonNull = names.filter((name) => name !== 'null');
  if (nonNull.length > 1) throw invalidParameter(at, `${at}: a union of types is not supported by Gemini; use anyOf.`);
  if (nonNull.length === 0) return { type: 'NULL' };
  return { type: nonNull[0].toUpperCase(), ...(names.length > nonNull.length ? { nullable: true as const } : {}) };
}
