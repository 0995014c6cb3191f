/**
 * The demo's lineage: three jobs as their integrations would report them (OpenLineage RunEvents, START then
 * COMPLETE, with schema and column-lineage facets) linking the demo's sources — an Airflow job copying shop
 * customers into the marketing warehouse's leads, a dbt model joining customers and orders into a mart the
 * catalog has never seen (a placeholder), and a Spark export of lab results to object storage. Namespaces
 * name the demo's instances as hosts (`postgres://shop-prod:5432`), so no LINEAGE_NAMESPACES is needed.
 * Deterministic for a seed (run ids), timed by the clock.
 */
import { createHash } from 'node:crypto';
import type { RunEvent } from '../lineage/openlineage.ts';

const PRODUCER = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/airflow';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const facet = {
  _producer: PRODUCER,
  _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/SchemaDatasetFacet.json',
};

interface Dataset {
  readonly namespace: string;
  readonly name: string;
  readonly columns: readonly string[];
}

function uuidOf(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const dataset = (d: Dataset, lineage?: Readonly<Record<string, readonly [Dataset, string][]>>) => ({
  namespace: d.namespace,
  name: d.name,
  facets: {
    schema: { ...facet, fields: d.columns.map((name) => ({ name })) },
    dataSource: { ...facet, name: d.namespace, uri: d.namespace },
    ...(lineage && {
      columnLineage: {
        ...facet,
        fields: Object.fromEntries(
          Object.entries(lineage).map(([column, from]) => [
            column,
            {
              inputFields: from.map(([input, field]) => ({
                namespace: input.namespace,
                name: input.name,
                field,
              })),
            },
          ]),
        ),
      },
    }),
  },
});

interface Job {
  readonly namespace: string;
  readonly name: string;
  readonly inputs: readonly Dataset[];
  readonly output: Dataset;
  readonly columns: Readonly<Record<string, readonly [Dataset, string][]>>;
}

/** The jobs, over the shop and clinic databases as the demo names them (`demo_shop` scanned, `shop` synthetic). */
export function demoJobs(databases: { readonly shop: string; readonly clinic: string }): Job[] {
  const customers: Dataset = {
    namespace: 'postgres://shop-prod:5432',
    name: `${databases.shop}.public.customers`,
    columns: ['id', 'email', 'first_name', 'last_name'],
  };
  const orders: Dataset = {
    namespace: 'postgres://shop-prod:5432',
    name: `${databases.shop}.public.orders`,
    columns: ['id', 'customer_id', 'total_amount'],
  };
  const leads: Dataset = {
    namespace: 'snowflake://acme',
    name: 'MARKETING.PUBLIC.LEADS',
    columns: ['LEAD_ID', 'EMAIL', 'FULL_NAME'],
  };
  const mart: Dataset = {
    namespace: 'snowflake://acme',
    name: 'ANALYTICS.MART.CUSTOMER_ORDERS',
    columns: ['CUSTOMER_ID', 'EMAIL', 'ORDER_COUNT', 'REVENUE'],
  };
  const labResults: Dataset = {
    namespace: 'postgres://clinic-db:5432',
    name: `${databases.clinic}.care.lab_results`,
    columns: ['id', 'patient_email', 'test_code', 'result_value'],
  };
  const export_: Dataset = {
    namespace: 's3://acme-exports',
    name: 'clinic/lab_results.parquet',
    columns: ['patient_email', 'test_code', 'result_value'],
  };
  return [
    {
      namespace: 'airflow://acme',
      name: 'crm_sync.load_leads',
      inputs: [customers],
      output: leads,
      columns: {
        EMAIL: [[customers, 'email']],
        FULL_NAME: [
          [customers, 'first_name'],
          [customers, 'last_name'],
        ],
      },
    },
    {
      namespace: 'dbt://acme',
      name: 'analytics.customer_orders',
      inputs: [customers, orders],
      output: mart,
      columns: {
        CUSTOMER_ID: [[customers, 'id']],
        EMAIL: [[customers, 'email']],
        ORDER_COUNT: [[orders, 'id']],
        REVENUE: [[orders, 'total_amount']],
      },
    },
    {
      namespace: 'spark://acme',
      name: 'clinic.export_lab_results',
      inputs: [labResults],
      output: export_,
      columns: {
        patient_email: [[labResults, 'patient_email']],
        test_code: [[labResults, 'test_code']],
        result_value: [[labResults, 'result_value']],
      },
    },
  ];
}

/** START and COMPLETE of each job, a minute apart, ending at `at`. */
export function demoRunEvents(
  at: Date,
  seed: number,
  databases: { readonly shop: string; readonly clinic: string },
): RunEvent[] {
  return demoJobs(databases).flatMap((job) => {
    const runId = uuidOf(String(seed), job.namespace, job.name);
    const base = {
      run: { runId },
      job: { namespace: job.namespace, name: job.name },
      inputs: job.inputs.map((d) => dataset(d)),
      producer: PRODUCER,
      schemaURL: SCHEMA_URL,
    };
    return [
      {
        ...base,
        eventType: 'START' as const,
        eventTime: new Date(at.getTime() - 60_000).toISOString(),
        outputs: [dataset(job.output)],
      },
      {
        ...base,
        eventType: 'COMPLETE' as const,
        eventTime: at.toISOString(),
        outputs: [dataset(job.output, job.columns)],
      },
    ];
  });
}
