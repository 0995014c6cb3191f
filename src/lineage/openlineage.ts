/**
 * The parts of an OpenLineage RunEvent Steward reads, written from the published specification
 * (OpenLineage.json 2-0-2, and the facets SchemaDatasetFacet 1-1-1, DatasourceDatasetFacet 1-0-1 and
 * ColumnLineageDatasetFacet 1-2-0). Nothing is fetched at run time: these are the project's own schemas.
 *
 * Checked: the event's shape (eventTime, run.runId, job.namespace/name, producer, schemaURL; eventType one
 * of the spec's), each dataset's namespace and name, and the three facets Steward uses when present. Every
 * other facet, and every field Steward does not read, passes through untouched (additionalProperties).
 */
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { fieldErrors, type FieldError } from '../domain/field-errors.ts';

export const OPENLINEAGE_SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;

const open = { additionalProperties: true } as const;
const name = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description });

const SchemaField = Type.Object(
  {
    name: name('Column name'),
    type: Type.Optional(
      Type.String({ maxLength: 4096, description: 'Column type as the producer spells it' }),
    ),
    description: Type.Optional(Type.String({ maxLength: 16_384 })),
  },
  open,
);

const SchemaFacet = Type.Object(
  { fields: Type.Array(SchemaField, { maxItems: 10_000, description: "The dataset's columns" }) },
  { ...open, description: 'SchemaDatasetFacet' },
);

const DataSourceFacet = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 4096 })),
    uri: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { ...open, description: 'DatasourceDatasetFacet' },
);

const InputField = Type.Object(
  {
    namespace: name('Namespace of the input dataset'),
    name: name('Name of the input dataset'),
    field: name('Column of the input dataset'),
  },
  open,
);

const ColumnLineageFacet = Type.Object(
  {
    fields: Type.Record(
      Type.String({ minLength: 1, maxLength: 4096 }),
      Type.Object({ inputFields: Type.Array(InputField, { maxItems: 10_000 }) }, open),
      { description: 'Per output column, the input columns it is derived from' },
    ),
  },
  { ...open, description: 'ColumnLineageDatasetFacet' },
);

const DatasetFacets = Type.Object(
  {
    schema: Type.Optional(SchemaFacet),
    dataSource: Type.Optional(DataSourceFacet),
    columnLineage: Type.Optional(ColumnLineageFacet),
  },
  open,
);

const Dataset = Type.Object(
  {
    namespace: name('Where the dataset lives, e.g. postgres://db.example.com:5432'),
    name: name('The dataset within its namespace, e.g. shop.public.orders'),
    facets: Type.Optional(DatasetFacets),
  },
  open,
);

export const RunEventSchema = Type.Object(
  {
    eventType: Type.Optional(Type.Enum(EVENT_TYPES, { type: 'string' })),
    eventTime: Type.String({ format: 'date-time', description: 'When the event happened' }),
    run: Type.Object(
      { runId: Type.String({ format: 'uuid' }), facets: Type.Optional(Type.Object({}, open)) },
      open,
    ),
    job: Type.Object(
      {
        namespace: name('The job namespace, e.g. the scheduler instance'),
        name: name('The job name, unique in its namespace'),
        facets: Type.Optional(Type.Object({}, open)),
      },
      open,
    ),
    inputs: Type.Optional(Type.Array(Dataset, { maxItems: 10_000 })),
    outputs: Type.Optional(Type.Array(Dataset, { maxItems: 10_000 })),
    producer: Type.String({ minLength: 1, maxLength: 4096, description: 'URI of the producing integration' }),
    schemaURL: Type.String({ minLength: 1, maxLength: 4096, description: 'The OpenLineage spec URL' }),
  },
  {
    ...open,
    title: 'RunEvent',
    description: `OpenLineage RunEvent (${OPENLINEAGE_SPEC}), the parts Steward reads`,
  },
);

export type RunEvent = Static<typeof RunEventSchema>;
export type LineageDataset = NonNullable<RunEvent['inputs']>[number];

/** `<namespace>/<name>`: the job's identity, and the key of its records. */
export const jobKey = (event: Pick<RunEvent, 'job'>): string => `${event.job.namespace}/${event.job.name}`;

const validator = Compile(RunEventSchema);

export type RunEventValidation =
  { readonly ok: true; readonly event: RunEvent } | { readonly ok: false; readonly errors: FieldError[] };

/** Checks a parsed value against the RunEvent subset; never throws. */
export function validateRunEvent(value: unknown): RunEventValidation {
  if (validator.Check(value)) return { ok: true, event: value };
  return {
    ok: false,
    errors: fieldErrors(RunEventSchema, validator.Errors(value), {
      formats: { uuid: 'must be a UUID', 'date-time': 'must be an ISO-8601 date-time' },
      patterns: {},
    }),
  };
}
