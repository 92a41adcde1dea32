import { thrownBy } from '../test/fixtures';
import { toGeminiJsonSchema } from './openai-to-gemini.json-schema';
import { MAX_SCHEMA_NODES } from './openai-to-gemini.schema-walk';

// GenerationConfig.responseJsonSchema and FunctionDeclaration.parametersJsonSchema take only $id,
// $defs, $ref, $anchor, type, format, title, description, enum (strings and numbers), items,
// prefixItems, minItems, maxItems, minimum, maximum, anyOf, oneOf (as anyOf), properties,
// additionalProperties, required and propertyOrdering (googleapis/js-genai genai.d.ts).
const SUPPORTED = new Set(['type', 'format', 'title', 'description', 'enum', 'items', 'prefixItems', 'minItems', 'maxItems', 'minimum', 'maximum', 'anyOf', 'properties', 'additionalProperties', 'required', 'propertyOrdering']);

/** Every keyword of every node of a converted schema, properties' names excepted. */
function keywords(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(keywords);
  if (typeof schema !== 'object' || schema === null) return [];
  return Object.entries(schema).flatMap(([keyword, value]) => [keyword, ...(keyword === 'properties' ? Object.values(value as object).flatMap(keywords) : keywords(value))]);
}

describe('toGeminiJsonSchema', () => {
  it('sends an MCP tool with free-form maps as JSON Schema of the supported keywords only', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      title: 'FetchArgs',
      properties: {
        url: { type: 'string', format: 'uri', minLength: 1, examples: ['https://example.com'] },
        headers: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'HTTP headers' },
        extra: { type: 'object', properties: {} },
        retries: { type: 'integer', minimum: 0, maximum: 5, default: 2, multipleOf: 1 },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 10 },
      },
      required: ['url'],
      additionalProperties: false,
    };
    const converted = toGeminiJsonSchema(schema, 'p');
    expect(converted).toEqual({
      type: 'object',
      title: 'FetchArgs',
      properties: {
        url: { type: 'string' },
        headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'HTTP headers' },
        extra: { type: 'object', properties: {} },
        retries: { type: 'integer', minimum: 0, maximum: 5 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
      },
      required: ['url'],
      additionalProperties: false,
    });
    expect(keywords(converted).filter((keyword) => !SUPPORTED.has(keyword))).toEqual([]);
  });

  it('sends oneOf as anyOf, as Gemini reads it', () => {
    const schema = { type: 'object', properties: { shape: { oneOf: [{ type: 'object', properties: { r: { type: 'number' } } }, { type: 'string', enum: ['unit'] }] } } };
    expect(toGeminiJsonSchema(schema, 'p').properties).toEqual({ shape: { anyOf: [{ type: 'object', properties: { r: { type: 'number' } } }, { type: 'string', enum: ['unit'] }] } });
  });

  it.each<[string, object, object]>([
    ['a nullable string (OpenAI strict mode)', { type: ['string', 'null'], description: 'Name' }, { description: 'Name', anyOf: [{ type: 'string' }, { type: 'null' }] }],
    ['a nullable enum', { type: ['string', 'null'], enum: ['a', 'b', null] }, { anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }] }],
    [
      'a union, each type with its own keywords',
      { type: ['integer', 'array'], minimum: 1, items: { type: 'integer' }, maxItems: 3 },
      { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'integer' }, maxItems: 3 }] },
    ],
    ['a one-type array', { type: ['object'], additionalProperties: true }, { type: 'object', additionalProperties: true }],
  ])('sends %s as anyOf of one type each', (_case, property, expected) => {
    expect(toGeminiJsonSchema({ type: 'object', properties: { a: property } }, 'p').properties).toEqual({ a: expected });
  });

  it.each<[object, object]>([
    [{ const: 3 }, { enum: [3] }],
    [{ const: 'x' }, { enum: ['x'] }],
    [{ type: 'integer', enum: [1, 2] }, { type: 'integer', enum: [1, 2] }],
    [{ type: 'boolean', enum: [true] }, { type: 'boolean' }],
    [{ enum: ['a', true] }, {}],
    [{ type: 'string', format: 'date' }, { type: 'string', format: 'date' }],
    [{ type: 'string', format: 'email' }, { type: 'string' }],
    [{ type: 'number', format: 'double' }, { type: 'number', format: 'double' }],
    [{ type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2 }, { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2 }],
  ])('keeps enum and format only as Gemini takes them: %j → %j', (property, expected) => {
    expect(toGeminiJsonSchema({ type: 'object', properties: { a: property } }, 'p').properties).toEqual({ a: expected });
  });

  it('inlines local references, so no $ref carries siblings Gemini would refuse next to it', () => {
    const schema = {
      type: 'object',
      $defs: { Meta: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels' } },
      properties: { meta: { $ref: '#/$defs/Meta', description: 'Free labels' }, old: { allOf: [{ $ref: '#/$defs/Meta' }], description: 'Old labels' } },
    };
    expect(toGeminiJsonSchema(schema, 'p')).toEqual({
      type: 'object',
      properties: {
        meta: { type: 'object', additionalProperties: { type: 'string' }, description: 'Free labels' },
        old: { type: 'object', additionalProperties: { type: 'string' }, description: 'Old labels' },
      },
    });
  });

  it.each<[string, object, string, RegExp]>([
    ['not', { type: 'object', properties: { a: { not: { type: 'string' } } } }, 'p.properties.a.not', /not is not supported/],
    ['a conditional', { type: 'object', properties: { a: { type: 'object', if: { required: ['x'] }, then: { required: ['y'] } } } }, 'p.properties.a.if', /conditional/],
    ['patternProperties', { type: 'object', patternProperties: { '^x-': { type: 'string' } } }, 'p.patternProperties', /patternProperties/],
    ['allOf of several schemas', { type: 'object', properties: { a: { allOf: [{ type: 'object' }, { required: ['x'] }] } } }, 'p.properties.a.allOf', /several schemas/],
    ['allOf clashing with a sibling', { type: 'object', properties: { a: { type: 'string', allOf: [{ type: 'integer' }] } } }, 'p.properties.a.allOf', /both set 'type'/],
    ['anyOf next to oneOf', { anyOf: [{ type: 'string' }], oneOf: [{ type: 'integer' }] }, 'p.anyOf', /combine them/],
    ['an empty oneOf', { type: 'object', properties: { a: { oneOf: [] } } }, 'p.properties.a.oneOf', /non-empty array/],
    ['a union next to anyOf', { type: ['string', 'null'], anyOf: [{ minLength: 1 }] }, 'p.type', /union of types next to anyOf/],
    ['a boolean constant', { type: 'object', properties: { a: { const: true } } }, 'p.properties.a.const', /string and number constants/],
    ['a recursive reference', { $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } }, $ref: '#/$defs/Node' }, 'p.$ref.properties.next.$ref', /recursively/],
    ['a remote reference', { type: 'object', properties: { a: { $ref: 'https://example.com/schema.json' } } }, 'p.properties.a.$ref', /only local references/],
  ])('refuses %s naming its path', (_case, schema, param, message) => {
    expect(thrownBy(() => toGeminiJsonSchema(schema, 'p'))).toMatchObject({ status: 400, param, message: expect.stringMatching(message) });
  });

  it('keeps the node bound of the Schema translation', () => {
    const $defs: Record<string, object> = { L0: { type: 'object', additionalProperties: true } };
    for (let i = 1; i <= 8; i++) $defs[`L${i}`] = { type: 'object', properties: Object.fromEntries(['a', 'b', 'c', 'd'].map((key) => [key, { $ref: `#/$defs/L${i - 1}` }])) };
    expect(thrownBy(() => toGeminiJsonSchema({ $defs, $ref: '#/$defs/L8' }, 'p'))).toMatchObject({ status: 400, param: 'p', message: expect.stringContaining(`${MAX_SCHEMA_NODES} nodes`) });
  });
});
