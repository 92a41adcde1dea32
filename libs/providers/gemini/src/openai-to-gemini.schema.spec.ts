import { thrownBy } from '../test/fixtures';
import { MAX_SCHEMA_NODES, toGeminiSchema } from './openai-to-gemini.schema';

describe('toGeminiSchema', () => {
  it('inlines local references as Pydantic and zod emit them, siblings winning', () => {
    const schema = {
      type: 'object',
      $defs: { Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
      definitions: { Unit: { type: 'string', enum: ['c', 'f'] } },
      properties: { home: { $ref: '#/$defs/Address', description: 'Where they live' }, unit: { $ref: '#/definitions/Unit' }, past: { type: 'array', items: { $ref: '#/$defs/Address' } } },
    };
    expect(toGeminiSchema(schema, 'p')).toEqual({
      type: 'OBJECT',
      properties: {
        home: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'], description: 'Where they live' },
        unit: { type: 'STRING', enum: ['c', 'f'] },
        past: { type: 'ARRAY', items: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } },
      },
    });
  });

  // ai.google.dev/api/caching#Schema: format "for NUMBER type: float, double; for INTEGER type: int32, int64;
  // for STRING type: enum, date-time" — Gemini answers 400 for any other (google-gemini/gemini-cli#3178).
  it.each<[object, string | undefined]>([
    [{ type: 'string', format: 'date-time' }, 'date-time'],
    [{ type: 'string', format: 'enum', enum: ['a'] }, 'enum'],
    [{ type: 'number', format: 'double' }, 'double'],
    [{ type: 'integer', format: 'int64' }, 'int64'],
    [{ type: ['integer', 'null'], format: 'int32' }, 'int32'],
    [{ type: 'string', format: 'uri' }, undefined],
    [{ type: 'string', format: 'email' }, undefined],
    [{ type: 'string', format: 'uuid' }, undefined],
    [{ type: 'integer', format: 'double' }, undefined],
    [{ type: 'boolean', format: 'int32' }, undefined],
    [{ format: 'date-time' }, undefined],
  ])('keeps format only where Gemini lists it for the type: %j → %s', (property, format) => {
    const converted = toGeminiSchema({ type: 'object', properties: { a: property } }, 'p').properties as Record<string, Record<string, unknown>>;
    expect(converted.a.format).toBe(format);
  });

  it('keeps the format a reference sibling gives to a definition of a type that takes it', () => {
    const schema = { type: 'object', $defs: { Text: { type: 'string' } }, properties: { at: { $ref: '#/$defs/Text', format: 'date-time' }, site: { $ref: '#/$defs/Text', format: 'uri' } } };
    expect(toGeminiSchema(schema, 'p').properties).toEqual({ at: { type: 'STRING', format: 'date-time' }, site: { type: 'STRING' } });
  });

  // Schema.enum is string[], "possible values of the element of Type.STRING"; Gemini answers 400
  // "Invalid value at '…enum[0]' (TYPE_STRING), 1" for numbers. Dropping them only widens the schema.
  it.each<[object, object]>([
    [{ type: 'integer', enum: [1, 2, 3] }, { type: 'INTEGER' }],
    [{ type: 'number', enum: [0.5, 1] }, { type: 'NUMBER' }],
    [{ type: 'boolean', enum: [true] }, { type: 'BOOLEAN' }],
    [{ type: 'integer', enum: ['1', '2'] }, { type: 'INTEGER' }],
    [{ enum: ['a', 1] }, {}],
    [{ type: 'string', enum: ['a', 'b'] }, { type: 'STRING', enum: ['a', 'b'] }],
    [{ enum: ['a', 'b'] }, { enum: ['a', 'b'] }],
    [{ type: ['string', 'null'], enum: ['a', null] }, { type: 'STRING', nullable: true, enum: ['a'] }],
  ])('sends enum only as strings of a string: %j → %j', (property, expected) => {
    expect(toGeminiSchema({ type: 'object', properties: { a: property } }, 'p').properties).toEqual({ a: expected });
  });

  // Gemini answers 400 "…properties: should be non-empty for OBJECT type" for an object without
  // properties (browser-use/browser-use#3786, pydantic/pydantic-ai#1203); no Schema object means "any keys".
  // (toGeminiSchemaField then sends the schema as JSON Schema instead: openai-to-gemini.json-schema.spec.ts.)
  it.each<[string, object, string]>([
    ['a free-form map (Pydantic dict[str, str])', { type: 'object', properties: { headers: { type: 'object', additionalProperties: { type: 'string' } } } }, 'p.properties.headers'],
    ['an empty object', { type: 'object', properties: { go_back: { type: 'object', properties: {} } } }, 'p.properties.go_back'],
    ['an object of any keys inside an array', { type: 'object', properties: { rows: { type: 'array', items: { type: ['object', 'null'] } } } }, 'p.properties.rows.items'],
    ['an object option of anyOf', { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'object' }] } } }, 'p.properties.a.anyOf[1]'],
    ['a referenced object without properties', { type: 'object', $defs: { Meta: { type: 'object' } }, properties: { meta: { $ref: '#/$defs/Meta' } } }, 'p.properties.meta.$ref'],
    ['a root object without properties', { type: 'object', additionalProperties: true }, 'p'],
  ])('refuses %s naming its path', (_case, schema, param) => {
    expect(thrownBy(() => toGeminiSchema(schema, 'p'))).toMatchObject({ status: 400, param, message: expect.stringContaining('object without properties') });
  });

  it.each<[string, object, string, RegExp]>([
    ['a recursive reference', { $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } }, $ref: '#/$defs/Node' }, 'p.$ref.properties.next.$ref', /recursively/],
    ['a remote reference', { type: 'object', properties: { a: { $ref: 'https://example.com/schema.json' } } }, 'p.properties.a.$ref', /only local references/],
    ['a reference to nothing', { type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } }, 'p.properties.a.$ref', /no definition named 'Missing'/],
  ])('refuses %s naming its path', (_case, schema, param, message) => {
    expect(thrownBy(() => toGeminiSchema(schema, 'p'))).toMatchObject({ status: 400, param, message: expect.stringMatching(message) });
  });

  it('refuses a schema that references its way to exponential size, before building it', () => {
    const $defs: Record<string, object> = { L0: { type: 'string' } };
    // Four references per level, eight levels: 4^8 leaves within the depth limit.
    for (let i = 1; i <= 8; i++) $defs[`L${i}`] = { type: 'object', properties: Object.fromEntries(['a', 'b', 'c', 'd'].map((key) => [key, { $ref: `#/$defs/L${i - 1}` }])) };
    const error = thrownBy(() => toGeminiSchema({ $defs, $ref: '#/$defs/L8' }, 'p'));
    expect(error).toMatchObject({ status: 400, param: 'p', message: expect.stringContaining(`${MAX_SCHEMA_NODES} nodes`) });
  });
});
