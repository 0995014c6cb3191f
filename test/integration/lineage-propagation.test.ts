import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { Registry } from 'prom-client';
import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { lineageProcessor } from '../../processors/lineage/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Command } from '../../src/domain/command.ts';
import { datasetUrn } from '../../src/domain/urn.ts';
import { NOTIFIER_GROUP, startNotifier } from '../../src/notifier/notifier.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { alerts, compliance, lineage } from '../../topics/index.ts';
import { columnProfile, emails, profileOf, samples } from '../fixtures/compliance.ts';
import { runEvent, table } from '../fixtures/openlineage.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { endpoints } from '../helpers/services.ts';
import { commandsFor } from '../helpers/timers.ts';
import { webhookReceiver } from '../helpers/webhook.ts';

/**
 * Issue 11's acceptance on the real stack: a source table, a staging table loaded from it by an Airflow
 * job, and a mart built from staging by a dbt model, linked by OpenLineage RunEvents with column lineage.
 * The source's `email` column is classified from its samples; the mart's column (named so that no name
 * rule matches it) ends up classified `email` as *propagated*, with the two-hop path as evidence; a
 * steward's rejection sticks; dropping the source column raises an upstream-breaking-change alert that the
 * notifier delivers to the mart owner's webhook (and the staging owner's).
 */
const SECRET = 'lineage-signing-secret-0123456789abcdef';
const PG = 'postgres://warehouse.internal:5432';
const INSTANCE = 'test';
const urnOf = (qualified: string): string =>
  datasetUrn({ platform: 'postgres', instance: INSTANCE, path: qualified.split('.') });

function upsert(qualified: string, owner: string, columns: readonly string[]): ChangeEvent {
  return {
    id: randomUUID(),
    kind: 'upsert',
    occurredAt: new Date().toISOString(),
    source: { platform: 'postgres', instance: INSTANCE },
    asset: {
      urn: urnOf(qualified),
      type: 'table',
      name: qualified.split('.').pop() ?? qualified,
      qualifiedName: qualified,
      description: null,
      owners: [owner],
      tags: [],
      columns: columns.map((name, i) => ({
        name,
        type: name === 'id' ? 'bigint' : 'varchar',
        nullable: name !== 'id',
        description: null,
        tags: [],
        ordinal: i + 1,
        primaryKey: name === 'id',
      })),
    },
  };
}

interface PublishedClass {
  class: string;
  status: string;
  effective: boolean;
  decidedBy: string | null;
  path: { urn: string; column: string; job: string }[] | null;
}

test('an email column flows source → staging → mart: the mart column is classified email (propagated, with the path), and dropping the source column alerts the mart owner', async (t) => {
  const p = await catalogPipeline(t, { partitions: 2 });
  const commandsTopic = await commandsFor(p);
  const lineageTopic = await p.topicLike(lineage);
  const results = await p.topicLike(compliance);
  const alertsTopic = await p.topicLike(alerts);
  const receiver = await webhookReceiver(SECRET);
  t.after(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  await p.pool.query(
    `INSERT INTO notification_endpoints (id, owner, url, min_severity) VALUES
       ('mart', 'team-mart', $1, 'high'), ('staging', 'team-staging', $2, 'low')`,
    [`${receiver.url}/mart`, `${receiver.url}/staging`],
  );

  await p.start(metadataSync({ input: p.input, output: p.output, commands: commandsTopic }));
  await p.start(
    lineageProcessor({ instances: { [PG]: INSTANCE }, input: lineageTopic, commands: commandsTopic }),
  );
  await p.start(
    complianceProcessor({
      changes: p.input,
      assets: p.output,
      commands: commandsTopic,
      results,
      alerts: alertsTopic,
    }),
  );
  const notifierPool = new pg.Pool({
    connectionString: endpoints().databaseUrl,
    options: `-c search_path=${p.schema}`,
    max: 2,
  });
  t.after(() => notifierPool.end());
  const notifier = await startNotifier({
    kafka: p.kafka.kafka,
    codec: p.codec,
    pool: notifierPool,
    alerts: alertsTopic,
    dlqTopic: p.dlqTopic,
    retryTopic: p.retryTopic,
    delivery: { maxAttempts: 3, backoffMs: 50, timeoutMs: 2000 },
    signingSecret: SECRET,
    env: {},
    logger: createLogger({ level: 'warn', name: 'test' }),
    registry: new Registry(),
  });
  t.after(() => notifier.stop());
  assert.equal(NOTIFIER_GROUP, 'steward.notifier');

  const SOURCE = urnOf('shop.public.customers');
  const STAGING = urnOf('shop.staging.customers');
  const MART = urnOf('shop.mart.customer_contacts');
  await p.produce([
    upsert('shop.public.customers', 'team-source', ['id', 'email']),
    upsert('shop.staging.customers', 'team-staging', ['id', 'email']),
    upsert('shop.mart.customer_contacts', 'team-mart', ['customer_id', 'primary_contact']),
    profileOf(SOURCE, 901, new Date().toISOString(), [columnProfile('email', samples(emails))]),
  ]);

  const source = table(PG, 'shop.public.customers', 'id', 'email');
  const staging = table(PG, 'shop.staging.customers', 'id', 'email');
  const mart = table(PG, 'shop.mart.customer_contacts', 'customer_id', 'primary_contact');
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();
  const events = [
    runEvent({
      type: 'COMPLETE',
      runId: randomUUID(),
      job: 'load_staging_customers',
      at: at(1),
      inputs: [source],
      outputs: [staging],
      columns: { id: [[source, 'id']], email: [[source, 'email']] },
    }),
    runEvent({
      type: 'COMPLETE',
      runId: randomUUID(),
      job: 'dbt.mart_customer_contacts',
      namespace: 'dbt://analytics',
      at: at(2),
      inputs: [staging],
      outputs: [mart],
      columns: { customer_id: [[staging, 'id']], primary_contact: [[staging, 'email']] },
    }),
  ];
  const producer = await p.kafka.producer();
  await producer.send({
    topic: lineageTopic.name,
    messages: events.map((e) => ({ key: `${e.job.namespace}/${e.job.name}`, value: JSON.stringify(e) })),
  });

  const classesOf = async (urn: string, column: string): Promise<PublishedClass[]> => {
    const { rows } = await p.pool.query<{ columns: { name: string; classes: PublishedClass[] }[] }>(
      'SELECT columns FROM asset_compliance WHERE urn = $1',
      [urn],
    );
    return rows[0]?.columns.find((c) => c.name === column)?.classes ?? [];
  };
  const email = (classes: PublishedClass[]) => classes.find((k) => k.class === 'email');
  const propagated = await waitFor(
    () => classesOf(MART, 'primary_contact'),
    (classes) => email(classes)?.status === 'propagated',
    60_000,
    'the mart column classified email by propagation',
  );
  const found = email(propagated);
  assert.deepEqual(
    found && {
      status: found.status,
      effective: found.effective,
      decidedBy: found.decidedBy,
      path: found.path,
    },
    {
      status: 'propagated',
      effective: true,
      decidedBy: null,
      path: [
        { urn: SOURCE, column: 'email', job: 'airflow/load_staging_customers' },
        { urn: STAGING, column: 'email', job: 'dbt://analytics/dbt.mart_customer_contacts' },
      ],
    },
  );
  // It counts: the mart is as sensitive as the source, and the customer_id column inherited nothing.
  const { rows: sensitivity } = await p.pool.query<{ urn: string; sensitivity: string }>(
    'SELECT urn, sensitivity FROM asset_compliance WHERE urn = ANY($1) ORDER BY urn',
    [[SOURCE, MART]],
  );
  assert.deepEqual(
    sensitivity.map((r) => r.sensitivity),
    sensitivity.map(() => 'confidential'),
  );
  assert.deepEqual(await classesOf(MART, 'customer_id'), []);

  // A steward rejects the inherited class on the mart: it stays, rejected and not counted.
  const reject: Command = {
    id: randomUUID(),
    kind: 'decide-classification',
    target: 'compliance',
    urn: MART,
    issuedAt: new Date().toISOString(),
    issuedBy: 'steward@example.com',
    reason: 'hashed in the mart model',
    payload: JSON.stringify({
      column: 'primary_contact',
      class: 'email',
      decision: 'reject',
      by: 'steward@example.com',
    }),
  };
  await producer.send({
    topic: commandsTopic.name,
    messages: [{ key: MART, value: await p.codec.encode(commandsTopic, reject) }],
  });
  const rejected = await waitFor(
    () => classesOf(MART, 'primary_contact'),
    (classes) => email(classes)?.status === 'rejected',
    30_000,
    "the steward's rejection",
  );
  assert.deepEqual(
    [email(rejected)?.effective, email(rejected)?.decidedBy, email(rejected)?.path?.length],
    [false, 'steward@example.com', 2],
  );

  // The source drops its email column: a breaking schema change two hops upstream of the mart.
  await p.produce([upsert('shop.public.customers', 'team-source', ['id'])]);
  const raised = await waitFor(
    async () =>
      (
        await p.pool.query<{ downstream: string; depth: number; owners: string[]; schema_version: number }>(
          'SELECT downstream, depth, owners, schema_version FROM impact_alerts WHERE upstream = $1 ORDER BY depth',
          [SOURCE],
        )
      ).rows,
    (rows) => rows.length === 2,
    30_000,
    'impact alerts for staging and mart',
  );
  assert.deepEqual(raised, [
    { downstream: STAGING, depth: 1, owners: ['team-staging'], schema_version: 2 },
    { downstream: MART, depth: 2, owners: ['team-mart'], schema_version: 2 },
  ]);
  const delivered = await waitFor(
    () => Promise.resolve(receiver.received.filter((r) => r.path === '/mart')),
    (list) => list.length >= 1,
    30_000,
    "the mart owner's webhook",
  );
  assert.equal(delivered.length, 1);
  assert.ok(delivered[0]?.signed, 'signed');
  const body = JSON.parse(delivered[0]?.body ?? '{}') as {
    kind: string;
    urn: string;
    owners: string[];
    reasons: string[];
  };
  assert.deepEqual([body.kind, body.urn, body.owners], ['upstream-breaking-change', MART, ['team-mart']]);
  assert.ok(
    body.reasons.some((r) => /dropped email/.test(r)),
    body.reasons.join(' | '),
  );
  await waitFor(
    () => Promise.resolve(receiver.received.filter((r) => r.path === '/staging').length),
    (n) => n >= 1,
    30_000,
    "the staging owner's webhook",
  );
  assert.ok(
    receiver.received.every((r) => r.signed),
    'every delivery signed',
  );
  // And the source column is gone: staging's email column no longer inherits along that edge (its name
  // alone may still say email, with no path).
  await waitFor(
    () => classesOf(STAGING, 'email'),
    (classes) => (email(classes)?.path ?? null) === null,
    30_000,
    'staging no longer inheriting from the dropped column',
  );
  await notifier.stop();
});
