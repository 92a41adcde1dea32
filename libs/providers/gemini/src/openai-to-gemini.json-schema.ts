import type { GeminiJsonSchema } from './gemini.types';
import { invalidParameter } from './invalid-parameter';
import { isObject, JSON_TYPES, startWalk, type SchemaWalk, convertNode, INEXPRESSIBLE_KEYWORDS } from './openai-to-gemini.schema-walk';

// A client's JSON Schema as the JSON Schema Gemini takes in `parametersJsonSchema` and
// `responseJsonSchema`, for what its Schema object cannot express (openai-to-gemini.schema.ts):
// objects without properties, `oneOf`, type unions, tuples. Gemini supports only these keywords
// (GenerationConfig.responseJsonSchema, googleapis/js-genai `genai.d.ts`; FunctionDeclaration
// .parametersJsonSchema on both AI Studio v1beta and Vertex v1): $id, $defs, $ref, $anchor, type,
// format, title, description, enum (strings and numbers), items, prefixItems, minItems, maxItems,
// minimum, maximum, anyOf, oneOf (as anyOf), properties, additionalProperties, required,
// propertyOrdering. The policy, keyword by keyword:
// - kept: those keywords; `additionalProperties` as a boolean or a schema;
// - rewritten: `oneOf` → `anyOf` (Gemini reads it so); `const` → a one-value `enum`; `allOf` of
//   one schema → that schema merged with its siblings; `type: [A, B]` → `anyOf` of one option per
//   type (the documented form of a union); a local reference → the definition inlined, as for the
//   Schema object — so no `$ref` is sent and Gemini's rule that a `$ref` has no siblings holds;
// - dropped: what only widens what the schema accepts when absent (`$schema`, `$id`, `default`,
//   `examples`, `minLength`, `pattern`, `uniqueItems`, ...), a `format` Gemini does not list for
//   the type, an `enum` whose values are not all strings or numbers;
// - refused with a 400 naming the schema path: what dropping would change and Gemini cannot
//   express (`not`, `if`/`then`/`else`, `patternProperties`, `dependentSchemas`, `allOf` of several
//   schemas or whose schema collides with its siblings, `anyOf` next to `oneOf`, a type union next
//   to `anyOf`, a `const` that is not a string or number, remote or recursive references), and the
//   depth and node bounds of the Schema object translation.

/** The formats Gemini documents for each type (ai.google.dev/gemini-api/docs/structured-output). */
const FORMATS: Readonly<Record<string, ReadonlySet<unknown>>> = {
  string: new Set(['date-time', 'date', 'time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

/** Keywords sent as they are. */
const PLAIN_KEYWORDS = new Set(['title', 'description', 'format', 'enum', 'minItems', 'maxItems', 'minimum', 'maximum', 'propertyOrdering']);

/** Keywords that apply to one type only: an option of a type union keeps those of its type. */
const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  object: ['properties', 'required', 'additionalProperties', 'propertyOrdering'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
};
const TYPED_KEYWORDS = new Set(Object.values(TYPE_KEYWORDS).flat());

const ANNOTATIONS = ['title', 'description'];

const REFUSED_KEYWORDS: Readonly<Record<string, string>> = {
  ...INEXPRESSIBLE_KEYWORDS,
};

/** A JSON Schema within the keywords Gemini supports; throws a 400 naming `param` + the path of what Gemini cannot take. */
export function toGeminiJsonSchema(schema: unknown, param: string): GeminiJsonSchema {
  return convert(schema, param, 0, startWalk(schema, param));
}

function convert(value: unknown, param: string, depth: number, walk: SchemaWalk): GeminiJsonSchema {
  return convertNode(value, param, depth, walk, (schema, at, level) => convertKeywords(schema, at, level, walk), withTypes);
}

function convertKeywords(schema: Record<string, unknown>, param: string, depth: number, walk: SchemaWalk): GeminiJsonSchema {
  const out: GeminiJsonSchema = {};
  const sub = (value: unknown, at: string) => convert(value, at, depth + 1, walk);
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${param}.${keyword}`;
    if (Object.hasOwn(REFUSED_KEYWORDS, keyword)) throw invalidParameter(at, `${at}: ${REFUSED_KEYWORDS[keyword]}.`);
    switch (keyword) {
      case 'type':
        out.type = jsonType(value, at);
        break;
      case 'const':
        if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(at, `${at}: Gemini takes only string and number constants (as an enum).`);
        out.enum = [value];
        break;
      case 'properties':
        if (!isObject(value)) throw invalidParameter(at, `${at} must be an object of schemas.`);
        out.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, sub(property, `${at}.${name}`)]));
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : sub(value, at);
        break;
      case 'items':
        out.items = sub(value, at);
        break;
      case 'prefixItems':
        out.prefixItems = schemas(value, at).map((item, i) => sub(item, `${at}[${i}]`));
        break;
      case 'anyOf':
      case 'oneOf':
        if (schema.anyOf !== undefined && schema.oneOf !== undefined) throw invalidParameter(at, `${at}: anyOf next to oneOf is not supported by Gemini; combine them into one anyOf.`);
        out.anyOf = schemas(value, at).map((option, i) => sub(option, `${at}[${i}]`));
        break;
      case 'allOf':
        break; // merged below, once the siblings it may clash with are known
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) throw invalidParameter(at, `${at} must be an array of property names.`);
        out.required = value;
        break;
      default:
        if (PLAIN_KEYWORDS.has(keyword)) out[keyword] = value;
      // Anything else ($schema, $defs, default, examples, constraints Gemini does not list) is dropped (see above).
    }
  }
  return schema.allOf === undefined ? out : withAllOf(out, schema.allOf, `${param}.allOf`, sub);
}

/** `{allOf: [X], ...siblings}` as X and the siblings, when they share no keyword but annotations (the siblings' win). */
function withAllOf(siblings: GeminiJsonSchema, value: unknown, at: string, sub: (value: unknown, at: string) => GeminiJsonSchema): GeminiJsonSchema {
  const parts = schemas(value, at);
  if (parts.length !== 1) throw invalidParameter(at, `${at}: allOf of several schemas is not supported by Gemini; merge the schemas.`);
  const merged = sub(parts[0], `${at}[0]`);
  const clash = Object.keys(merged).find((keyword) => Object.hasOwn(siblings, keyword) && !ANNOTATIONS.includes(keyword));
  if (clash !== undefined) throw invalidParameter(at, `${at}: allOf whose schema and siblings both set '${clash}' is not supported by Gemini; merge the schemas.`);
  return { ...merged, ...siblings };
}

/** The node with one type at most: a union of types becomes anyOf, one option per type, each with the keywords that apply to it. */
function withTypes(schema: GeminiJsonSchema, param: string): GeminiJsonSchema {
  const { type, ...rest } = schema;
  if (!Array.isArray(type)) return withinType(schema);
  const types = [...new Set(type as string[])];
  if (types.length === 1) return withinType({ ...rest, type: types[0] });
  if (rest.anyOf !== undefined) throw invalidParameter(`${param}.type`, `${param}.type: a union of types next to anyOf is not supported by Gemini; list the types as options of anyOf.`);
  const annotations = Object.fromEntries(Object.entries(rest).filter(([keyword]) => ANNOTATIONS.includes(keyword)));
  const keywords = Object.entries(rest).filter(([keyword]) => !ANNOTATIONS.includes(keyword));
  const option = (name: string): GeminiJsonSchema => {
    const applies = ([keyword]: [string, unknown]) => !TYPED_KEYWORDS.has(keyword) || (TYPE_KEYWORDS[name] ?? []).includes(keyword);
    return name === 'null' ? { type: 'null' } : withinType({ ...Object.fromEntries(keywords.filter(applies)), type: name });
  };
  return { ...annotations, anyOf: types.map(option) };
}

/** The node without a `format` Gemini does not list for its type, and without an `enum` it cannot take. */
function withinType(schema: GeminiJsonSchema): GeminiJsonSchema {
  const { format, enum: values, ...rest } = schema;
  const type = typeof schema.type === 'string' ? schema.type : undefined;
  const keepsFormat = type !== undefined && FORMATS[type]?.has(format) === true;
  const options = enumOptions(values, type);
  return { ...rest, ...(keepsFormat ? { format } : {}), ...(options.length > 0 ? { enum: options } : {}) };
}

/** The values of `enum` Gemini takes (strings and numbers), or none when dropping some would narrow what the schema accepts. */
function enumOptions(values: unknown, type: string | undefined): Array<string | number> {
  if (!Array.isArray(values)) return [];
  // A value that is not of the node's type is not accepted anyway.
  const ofType = values.filter((value) => type === undefined || matchesType(value, type));
  return ofType.every((value) => typeof value === 'string' || typeof value === 'number') ? ofType : [];
}

function matchesType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  return typeof value === type;
}

function schemas(value: unknown, at: string): unknown[] {
  // An empty anyOf accepts nothing: no call or answer could match it.
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter(at, `${at} must be a non-empty array of schemas.`);
  return value;
}

function jsonType(value: unknown, at: string): string | string[] {
  const names = Array.isArray(value) ? value : [value];
  if (names.length === 0 || !names.every((name): name is string => typeof name === 'string' && JSON_TYPES.has(name))) {
    throw invalidParameter(at, `${at} must be one of ${[...JSON_TYPES].join(', ')} (or an array of them).`);
  }
  return Array.isArray(value) ? names : names[0];
}
