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
