import { invalidParameter } from './invalid-parameter';

// What both schema translations (openai-to-gemini.schema.ts to the Schema object,
// openai-to-gemini.json-schema.ts to JSON Schema) share while they walk a client's schema: its
// bounds and how a local reference is inlined.

/** Gemini refuses deeper schemas; the bound also keeps the walk's recursion small. */
export const MAX_SCHEMA_DEPTH = 32;
/**
 * The most schema nodes one schema may expand to once its references are inlined: a definition
 * used many times inside definitions used many times grows exponentially ("billion laughs").
 */
export const MAX_SCHEMA_NODES = 5_000;

/** JSON Schema's type names. */
export const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

const LOCAL_REF = /^#\/(\$defs|definitions)\/([^/]+)$/;

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One conversion's state: the root's definitions, the references being expanded, the nodes made so far. */
export interface SchemaWalk {
  definitions: Record<string, unknown>;
  expanding: string[];
  nodes: number;
  root: string;
}

export function startWalk(schema: unknown, param: string): SchemaWalk {
  const definitions = isObject(schema) ? { ...asObject(schema.definitions), ...asObject(schema.$defs) } : {};
  return { definitions, expanding: [], nodes: 0, root: param };
}

/** The node as an object, once it is within the depth and node bounds; throws a 400 naming `param` otherwise. */
function enterNode(schema: unknown, param: string, depth: number, walk: SchemaWalk): Record<string, unknown> {
  if (!isObject(schema)) throw invalidParameter(param, `${param} must be a JSON schema object.`);
  if (depth > MAX_SCHEMA_DEPTH) throw invalidParameter(param, `The schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep, more than Gemini accepts.`);
  if (++walk.nodes > MAX_SCHEMA_NODES) throw invalidParameter(walk.root, `The schema expands to more than ${MAX_SCHEMA_NODES} nodes once its references are inlined.`);
  return schema;
}

/**
 * `{"$ref": "#/$defs/Name", ...siblings}` as the definition converted by `convert`, then the
 * siblings converted by `convertSiblings` (a sibling such as a description wins). Refuses remote,
 * dangling and recursive references.
 */
function inlineReference<T extends object>(
  schema: Record<string, unknown>,
  param: string,
  walk: SchemaWalk,
  convert: (definition: unknown, at: string) => T,
  convertSiblings: (siblings: Record<string, unknown>) => T,
): T {
  const at = `${param}.$ref`;
  const match = typeof schema.$ref === 'string' ? LOCAL_REF.exec(schema.$ref) : null;
  if (!match) throw invalidParameter(at, `${at}: only local references (#/$defs/Name) are supported by Gemini; inline the referenced schema.`);
  const name = decodeURIComponent(match[2]);
  if (!Object.hasOwn(walk.definitions, name)) throw invalidParameter(at, `${at}: no definition named '${name.slice(0, 64)}'.`);
  if (walk.expanding.includes(name)) throw invalidParameter(at, `${at}: the schema refers to '${name.slice(0, 64)}' recursively, which Gemini cannot express.`);
  walk.expanding.push(name);
  try {
    const { $ref: _ref, ...siblings } = schema;
    const definition = convert(walk.definitions[name], at);
    return { ...definition, ...convertSiblings(siblings) };
  } finally {
    walk.expanding.pop();
  }
}

/** Keywords neither translation can express, whose removal would change what the schema accepts. */
export const INEXPRESSIBLE_KEYWORDS: Readonly<Record<string, string>> = {
  not: 'not is not supported by Gemini',
  if: 'conditional schemas (if/then/else) are not supported by Gemini',
  then: 'conditional schemas (if/then/else) are not supported by Gemini',
  else: 'conditional schemas (if/then/else) are not supported by Gemini',
  patternProperties: 'patternProperties is not supported by Gemini',
  dependentSchemas: 'dependentSchemas is not supported by Gemini',
};

/**
 * One node of either translation: entered (bounds checked), its local reference inlined or its
 * keywords converted by `keywords`, then checked by `finish`.
 */
export function convertNode<T extends object>(
  value: unknown,
  param: string,
  depth: number,
  walk: SchemaWalk,
  keywords: (schema: Record<string, unknown>, param: string, depth: number) => T,
  finish: (node: T, param: string) => T,
): T {
  const schema = enterNode(value, param, depth, walk);
  const node =
    schema.$ref !== undefined
      ? inlineReference(
          schema,
          param,
          walk,
          (definition, at) => convertNode(definition, at, depth + 1, walk, keywords, finish),
          (siblings) => keywords(siblings, param, depth),
        )
      : keywords(schema, param, depth);
  return finish(node, param);
}

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}
