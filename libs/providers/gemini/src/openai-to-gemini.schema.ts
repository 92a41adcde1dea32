import type { GeminiSchema } from './gemini.types';
import { invalidParameter } from './invalid-parameter';

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

/** Gemini refuses deeper schemas; the bound also keeps the walk's recursion small. */
export const MAX_SCHEMA_DEPTH = 32;
/**
 * The most schema nodes one schema may expand to once its references are inlined: a definition
 * used many times inside definitions used many times grows exponentially ("billion laughs").
 */
export const MAX_SCHEMA_NODES = 5_000;

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

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

const LOCAL_REF = /^#\/(\$defs|definitions)\/([^/]+)$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One conversion's state: the root's definitions, the references being expanded, the nodes made so far. */
interface Walk {
  definitions: Record<string, unknown>;
  expanding: string[];
  nodes: number;
  root: string;
}

/** A JSON Schema as Gemini's Schema object; throws a 400 naming `param` + the path of what Gemini cannot take. */
export function toGeminiSchema(schema: unknown, param: string): GeminiSchema {
  const definitions = isObject(schema) ? { ...asObject(schema.definitions), ...asObject(schema.$defs) } : {};
  return convert(schema, param, 0, { definitions, expanding: [], nodes: 0, root: param });
}

function convert(schema: unknown, param: string, depth: number, walk: Walk): GeminiSchema {
  if (!isObject(schema)) throw invalidParameter(param, `${param} must be a JSON schema object.`);
  if (depth > MAX_SCHEMA_DEPTH) throw invalidParameter(param, `The schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep, more than Gemini accepts.`);
  if (++walk.nodes > MAX_SCHEMA_NODES) throw invalidParameter(walk.root, `The schema expands to more than ${MAX_SCHEMA_NODES} nodes once its references are inlined.`);
  const out = schema.$ref !== undefined ? inlineReference(schema, param, depth, walk) : convertKeywords(schema, param, depth, walk);
  return withinTypeLimits(out, param);
}

function convertKeywords(schema: Record<string, unknown>, param: string, depth: number, walk: Walk): GeminiSchema {
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

/** `{"$ref": "#/$defs/Name", ...siblings}` as the definition (siblings such as a description win). */
function inlineReference(schema: Record<string, unknown>, param: string, depth: number, walk: Walk): GeminiSchema {
  const at = `${param}.$ref`;
  const match = typeof schema.$ref === 'string' ? LOCAL_REF.exec(schema.$ref) : null;
  if (!match) throw invalidParameter(at, `${at}: only local references (#/$defs/Name) are supported by Gemini; inline the referenced schema.`);
  const name = decodeURIComponent(match[2]);
  if (!Object.hasOwn(walk.definitions, name)) throw invalidParameter(at, `${at}: no definition named '${name.slice(0, 64)}'.`);
  if (walk.expanding.includes(name)) throw invalidParameter(at, `${at}: the schema refers to '${name.slice(0, 64)}' recursively, which Gemini cannot express.`);
  walk.expanding.push(name);
  try {
    const { $ref: _ref, ...siblings } = schema;
    const definition = convert(walk.definitions[name], at, depth + 1, walk);
    return { ...definition, ...convertKeywords(siblings, param, depth, walk) };
  } finally {
    walk.expanding.pop();
  }
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

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
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
