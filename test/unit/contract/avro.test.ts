import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { Type } from 'typebox';
import { avroSchemaOf, fromAvro, fromAvroValue, toAvro, type AvroField } from '../../../src/contract/avro.ts';
import { changeEventAvroSchema } from '../../../src/contract/avro-schemas.ts';
import { plainJsonSchema, type JsonSchema } from '../../../src/contract/json-schema.ts';
import {
  ChangeEventSchema,
  validateChangeEvent,
  type ChangeEvent,
} from '../../../src/domain/change-event.ts';
import { deleteEvent, fullUpsertEvent, profileEvent } from '../../fixtures/change-events.ts';

const changeEventType = () => avro.Type.forSchema(changeEventAvroSchema as avro.Schema);

type Json = Record<string, unknown>;

/** Every record field of an Avro schema, with the name of the record that holds it. */
function recordFields(type: unknown, into: [string, AvroField][] = []): [string, AvroField][] {
  if (Array.isArray(type)) for (const branch of type) recordFields(branch, into);
  else if (typeof type === 'object' && type !== null) {
    const node = type as Json;
    if (node.type === 'record') {
      for (const field of node.fields as AvroField[]) {
        into.push([node.name as string, field]);
        recordFields(field.type, into);
      }
    } else if (node.type === 'array') recordFields(node.items, into);
  }
  return into;
}

/** [record title, property] of every property that may be absent or null in the contract. */
function optionalProperties(schema: JsonSchema, into: [string, string][] = []): [string, string][] {
  const inner = schema.anyOf?.find((branch) => branch.type !== 'null');
  if (inner) optionalProperties(inner, into);
  if (schema.items) optionalProperties(schema.items, into);
  const required = new Set(schema.required);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const nullable = property.anyOf?.some((branch) => branch.type === 'null') ?? false;
    if (!required.has(key) || nullable) into.push([schema.title ?? '?', key]);
    optionalProperties(property, into);
  }
  return into;
}

/** The schema an older producer might have used: every field with a default left out. */
function withoutDefaults(type: unknown): unknown {
  if (Array.isArray(type)) return type.map(withoutDefaults);
  if (typeof type !== 'object' || type === null) return type;
  const node = type as Json;
  if (node.type === 'array') return { ...node, items: withoutDefaults(node.items) };
  if (node.type !== 'record') return node;
  const fields = (node.fields as AvroField[]).filter((field) => !('default' in field));
  return { ...node, fields: fields.map((field) => ({ ...field, type: withoutDefaults(field.type) })) };
}

describe('the change-event Avro schema', () => {
  it('should parse with avsc when it is generated from the contract', () => {
    const type = changeEventType();
    assert.equal(type.name, 'steward.v1.ChangeEvent');
    assert.equal(changeEventAvroSchema.namespace, 'steward.v1');
  });

  const events: [string, () => ChangeEvent][] = [
    ['an upsert with every optional field', fullUpsertEvent],
    ['a profile event', profileEvent],
    ['a delete with nothing optional', deleteEvent],
  ];
  for (const [title, build] of events) {
    it(`should round-trip the event through encode, decode and fromAvro when it is ${title}`, () => {
      const event = build();
      const type = changeEventType();
      const decoded: unknown = type.fromBuffer(type.toBuffer(toAvro(event)));
      const back = fromAvro(decoded);
      assert.deepEqual(back, event);
      assert.deepEqual(validateChangeEvent(back), { ok: true, event: back });
    });
  }

  it('should declare the fields in the order of the contract', () => {
    const [, asset] = changeEventAvroSchema.fields;
    assert.deepEqual(
      changeEventAvroSchema.fields.map((field) => field.name),
      Object.keys(ChangeEventSchema.properties),
    );
    assert.ok(asset);
  });

  it('should give every optional or nullable field a null default, null first, when it is generated', () => {
    const fields = new Map(
      recordFields(changeEventAvroSchema).map(([record, field]) => [`${record}.${field.name}`, field]),
    );
    const optional = optionalProperties(plainJsonSchema(ChangeEventSchema));
    assert.ok(optional.length >= 10, `found only ${optional.length} optional fields`);
    for (const [record, key] of optional) {
      const field = fields.get(`${record}.${key}`);
      assert.ok(field, `${record}.${key} is missing from the Avro schema`);
      assert.ok(Array.isArray(field.type) && field.type[0] === 'null', `${record}.${key} is not ["null", …]`);
      assert.equal(field.default, null, `${record}.${key} has no null default`);
    }
  });

  it('should read data written without the optional fields when the reader has them (BACKWARD)', () => {
    const reader = changeEventType();
    const writer = avro.Type.forSchema(withoutDefaults(changeEventAvroSchema) as avro.Schema);
    const event = deleteEvent();
    const written = writer.toBuffer(toAvro(event));
    const read: unknown = reader.fromBuffer(written, reader.createResolver(writer));
    assert.deepEqual(fromAvro(read), event);
  });

  it('should drop fields a newer writer added when fromAvro reads them', () => {
    const decoded = { ...toAvro(deleteEvent()), addedLater: 'x' };
    assert.deepEqual(fromAvro(decoded), deleteEvent());
  });
});

describe('avroSchemaOf', () => {
  it('should map the scalar, array, nullable and literal-union types when a schema uses them', () => {
    const schema = Type.Object(
      {
        text: Type.String({ description: 'some text' }),
        whole: Type.Integer(),
        real: Type.Number(),
        flag: Type.Boolean(),
        list: Type.Array(Type.Number()),
        maybe: Type.Union([Type.Null(), Type.String()]),
        color: Type.Union([Type.Literal('red'), Type.Literal('green')]),
        later: Type.Optional(Type.Object({ at: Type.String() })),
      },
      { title: 'Sample' },
    );
    assert.deepEqual(avroSchemaOf(schema, 'test.v1'), {
      type: 'record',
      name: 'Sample',
      namespace: 'test.v1',
      fields: [
        { name: 'text', type: 'string', doc: 'some text' },
        { name: 'whole', type: 'long' },
        { name: 'real', type: 'double' },
        { name: 'flag', type: 'boolean' },
        { name: 'list', type: { type: 'array', items: 'double' } },
        { name: 'maybe', type: ['null', 'string'], default: null },
        { name: 'color', type: { type: 'enum', name: 'SampleColor', symbols: ['red', 'green'] } },
        {
          name: 'later',
          type: ['null', { type: 'record', name: 'SampleLater', fields: [{ name: 'at', type: 'string' }] }],
          default: null,
        },
      ],
    });
  });

  it('should define a named type once and refer to it by name when it is used twice', () => {
    const point = Type.Object({ x: Type.Integer() }, { title: 'Point' });
    const schema = Type.Object({ from: point, to: point }, { title: 'Line' });
    const generated = avroSchemaOf(schema, 'test.v1');
    assert.equal(generated.fields[1]?.type, 'Point');
    avro.Type.forSchema(generated as avro.Schema);
  });

  const unsupported: [string, () => unknown, RegExp][] = [
    [
      'two different types share a name',
      () =>
        avroSchemaOf(
          Type.Object(
            {
              a: Type.Object({ x: Type.String() }, { title: 'P' }),
              b: Type.Object({ y: Type.String() }, { title: 'P' }),
            },
            { title: 'Root' },
          ),
          'n',
        ),
      /another Avro type is named P/,
    ],
    [
      'a property name is not an Avro name',
      () => avroSchemaOf(Type.Object({ 'a-b': Type.String() }, { title: 'R' }), 'n'),
      /"a-b" is not an Avro name/,
    ],
    [
      'an enum symbol is not an Avro name',
      () => avroSchemaOf(Type.Object({ e: Type.Enum(['a b']) }, { title: 'R' }), 'n'),
      /"a b" is not an Avro name/,
    ],
    [
      'a type has no Avro form',
      () => avroSchemaOf(Type.Object({ u: Type.Unknown() }, { title: 'R' }), 'n'),
      /#\/properties\/u: no Avro form/,
    ],
    [
      'the root has no title',
      () => avroSchemaOf(Type.Object({}), 'n'),
      /must be an object schema with a title/,
    ],
  ];
  for (const [title, convert, message] of unsupported) {
    it(`should throw when ${title}`, () => {
      assert.throws(convert, message);
    });
  }

  it('should keep a null in a required nullable property when fromAvroValue reads it', () => {
    const schema = plainJsonSchema(
      Type.Object({ a: Type.Union([Type.String(), Type.Null()]), b: Type.Optional(Type.String()) }),
    );
    assert.deepEqual(fromAvroValue(schema, { a: null, b: null }), { a: null });
  });
});
