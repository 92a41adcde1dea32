// The JSON Schema Gemini takes in FunctionDeclaration.parametersJsonSchema and
// GenerationConfig.responseJsonSchema (googleapis/js-genai genai.d.ts; the same fields on Vertex
// v1): only $id, $defs, $ref, $anchor, type, format, title, description, enum (strings and
// numbers), items, prefixItems, minItems, maxItems, minimum, maximum, anyOf, oneOf, properties,
// additionalProperties, required and propertyOrdering, and "if `$ref` is set on a sub-schema, no
// other properties, except for those starting as a `$`, may be set". Gemini documents other
// keywords as unsupported without saying whether it refuses or ignores them; the fake refuses them,
// so that a test catches the gateway sending one.

const KEYWORDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'enum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
]);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What Gemini would refuse in this JSON Schema, or undefined; `at` is the field's path in the request. */
export function jsonSchemaProblem(schema: unknown, at: string): string | undefined {
  if (!isObject(schema)) return `${at} must be a JSON schema object`;
  const keywords = Object.keys(schema);
  if (schema.$ref !== undefined) {
    const sibling = keywords.find((keyword) => !keyword.startsWith('$'));
    if (sibling !== undefined) return `${at}: '${sibling}' is set next to '$ref'; a sub-schema with '$ref' may set only properties starting with '$'`;
  }
  for (const keyword of keywords) {
    const value = schema[keyword];
    if (!keyword.startsWith('$') && !KEYWORDS.has(keyword)) return `${at}: unsupported JSON Schema keyword '${keyword}'`;
    const problem = keywordProblem(keyword, value, `${at}.${keyword}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function keywordProblem(keyword: string, value: unknown, at: string): string | undefined {
  switch (keyword) {
    case 'type':
      return (Array.isArray(value) ? value : [value]).every((name) => TYPES.has(String(name))) ? undefined : `Invalid value at '${at}', ${JSON.stringify(value)}`;
    case 'enum':
      return Array.isArray(value) && value.every((option) => typeof option === 'string' || typeof option === 'number') ? undefined : `${at}: enum takes strings and numbers`;
    case 'properties':
    case '$defs':
      return isObject(value) ? firstProblem(Object.entries(value).map(([name, property]): [unknown, string] => [property, `${at}[${name}]`])) : `${at} must be an object of schemas`;
    case 'items':
      return jsonSchemaProblem(value, at);
    case 'additionalProperties':
      return typeof value === 'boolean' ? undefined : jsonSchemaProblem(value, at);
    case 'anyOf':
    case 'oneOf':
    case 'prefixItems':
      return Array.isArray(value) ? firstProblem(value.map((option, i): [unknown, string] => [option, `${at}[${i}]`])) : `${at} must be a list of schemas`;
    default:
      return undefined;
  }
}

function firstProblem(schemas: Array<[unknown, string]>): string | undefined {
  for (const [schema, at] of schemas) {
    const problem = jsonSchemaProblem(schema, at);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
