import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Admin } from 'kafkajs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { fanOutCommands } from '../../src/commands/fan-out.ts';
import { putPolicy, seedBuiltinPolicies } from '../../src/adapters/postgres/policy-store.ts';
import { commandId, type Command } from '../../src/domain/command.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { NOTIFIER_GROUP, startNotifier } from '../../src/notifier/notifier.ts';
import type { RunningProcessor } from '../../src/runtime/processor-runtime.ts';
import { resolveJobs } from '../../src/scheduler/jobs.ts';
import { computeKpis } from '../../src/scheduler/sweeps/kpi-aggregate.ts';
import { violationMonitorSweep } from '../../src/scheduler/sweeps/violation-monitor.ts';
import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { qualityProcessor } from '../../processors/quality/processor.ts';
import { alerts, commands, compliance, quality } from '../../topics/index.ts';
import {
  catalogEvent,
  catalogSamples,
  governanceCatalog,
  urnOf,
  type CatalogTable,
} from '../fixtures/governance-catalog.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { samplesInPostgres } from '../helpers/leaks.ts';
import { waitFor } from '../helpers/runtime.ts';
import { webhookReceiver } from '../helpers/webhook.ts';
import { endpoints } from '../helpers/services.ts';

/**
 * Issue 5's acceptance on the real stack: a shop, an HR system and a clinic (test/fixtures/
 * governance-catalog.ts) published as change events through two instances of every processor
 * (metadata-sync, compliance, quality, indexer) and of the notifier, in-process, on unique topics,
 * schema and index. Then stewards act (an owner and a retention tag added, a class rejected), a policy is
 * created, the violation monitor escalates, and the whole input is replayed with every group rewound.
 * Checked: classes, violations, scores and documents; one distinct id per transition in PostgreSQL, on the
 * alerts topic and at the webhook receiver (each alert once after dedupe, every signature valid); and no
 * sample value in PostgreSQL, Elasticsearch, the derived topics or the logs.
 */

const SECRET = 'acceptance-signing-secret-0123456789';
const T1 = '2026-11-20T08:00:00.000Z';
const T2 = '2026-11-20T09:00:00.000Z';
const tableNamed = (name: string): CatalogTable =>
  governanceCatalog.find((t) => t.qualifiedName === name) ?? assert.fail(`no table ${name}`);

/** Committed offsets of `group` on `topics` all at the end. */
async function caughtUp(admin: Admin, group: string, topics: readonly TopicDeclaration[]): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: topics.map((t) => t.name) });
  for (const { topic, partitions } of committed) {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    for (const { partition, offset } of partitions)
      if (Math.max(0, Number(offset)) < (ends.get(partition) ?? 0)) return false;
  }
  return true;
}

test('compliance and quality should classify, score, open and resolve violations and alert once, also after a replay with two instances each', async (t) => {
  const logs: string[] = [];
  const p = await catalogPipeline(t, {
    partitions: 4,
    logLevel: 'info',
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  const results = await p.topicLike(compliance, 4);
  const qualityTopic = await p.topicLike(quality, 4);
  const alertsTopic = await p.topicLike(alerts, 4);
  const commandsTopic = await p.topicLike(commands, 4);
  await seedBuiltinPolicies(p.pool);
  const receiver = await webhookReceiver(SECRET);
  t.after(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  await p.pool.query(
    `INSERT INTO notification_endpoints (id, owner, url, min_severity) VALUES
       ('governance', '*', $1, 'low'), ('payments-oncall', 'team-payments', $2, 'high'),
       ('clinic-pager', 'team-clinic', 'http://127.0.0.1:9/down', 'low')`,
    [`${receiver.url}/governance`, `${receiver.url}/payments`],
  );

  const definitions = {
    sync: metadataSync({ input: p.input, output: p.output }),
    compliance: complianceProcessor({
      changes: p.input,
      assets: p.output,
      commands: commandsTopic,
      results,
      alerts: alertsTopic,
    }),
    quality: qualityProcessor({
      changes: p.input,
      assets: p.output,
      compliance: results,
      commands: commandsTopic,
      output: qualityTopic,
    }),
    indexer: indexer({ input: p.output, notices: [results, qualityTopic] }, p.alias),
  };
  const groups: [string, TopicDeclaration[]][] = [
    [definitions.sync.group, [p.input]],
    [definitions.compliance.group, [p.input, p.output, commandsTopic]],
    [definitions.quality.group, [p.input, p.output, results, commandsTopic]],
    [definitions.indexer.group, [p.output, results, qualityTopic]],
    [NOTIFIER_GROUP, [alertsTopic]],
  ];
  const notifierPool = new pg.Pool({
    connectionString: endpoints().databaseUrl,
    options: `-c search_path=${p.schema}`,
    max: 2,
  });
  t.after(() => notifierPool.end());

  let running: RunningProcessor[] = [];
  const startAll = async (): Promise<void> => {
    for (let instance = 0; instance < 2; instance++) {
      for (const definition of Object.values(definitions)) running.push(await p.start(definition as never));
      running.push(
        await startNotifier({
          kafka: p.kafka.kafka,
          codec: p.codec,
          pool: notifierPool,
          alerts: alertsTopic,
          dlqTopic: p.dlqTopic,
          retryTopic: p.retryTopic,
          delivery: { maxAttempts: 3, backoffMs: 50, timeoutMs: 2000 },
          signingSecret: SECRET,
          env: {},
          logger: createLogger(
            { level: 'info', name: 'test' },
            { write: (line: string) => void logs.push(line) },
          ),
          registry: new Registry(),
        }),
      );
    }
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(running.map((r) => r.stop()));
    running = [];
  };
  t.after(stopAll);

  const admin = p.kafka.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  /** Every group at the end of its topics and the outbox empty, four checks in a row. */
  const settle = async (what: string): Promise<void> => {
    let streak = 0;
    await waitFor(
      async () => {
        const { rows } = await p.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM steward_outbox WHERE published_at IS NULL',
        );
        let idle = Number(rows[0]?.n) === 0;
        for (const [group, topics] of groups) idle = idle && (await caughtUp(admin, group, topics));
        streak = idle ? streak + 1 : 0;
        return streak;
      },
      (s) => s >= 4,
      120_000,
      what,
    );
  };

  const producer = await p.kafka.producer({ idempotent: true });
  const sendCommands = async (list: readonly Command[]): Promise<void> => {
    const messages = await Promise.all(
      list.map(async (c) => ({ key: c.urn, value: await p.codec.encode(commandsTopic, c) })),
    );
    await producer.send({ topic: commandsTopic.name, messages });
  };

  // Phase 1: the catalog, as producers report it.
  const firstEvents = governanceCatalog.map((table, i) => catalogEvent(table, i + 1, T1));
  await startAll();
  await p.produce(firstEvents);
  await settle('the catalog classified, scored and indexed');

  const { rows: classRows } = await p.pool.query<{
    urn: string;
    columns: { name: string; classes: { class: string; effective: boolean }[] }[];
  }>('SELECT urn, columns FROM asset_compliance');
  for (const table of governanceCatalog) {
    const row =
      classRows.find((r) => r.urn === urnOf(table)) ??
      assert.fail(`no compliance row for ${table.qualifiedName}`);
    for (const column of table.columns) {
      const found =
        row.columns
          .find((c) => c.name === column.name)
          ?.classes.filter((k) => k.effective)
          .map((k) => k.class) ?? [];
      assert.deepEqual(found, column.expect, `${table.qualifiedName}.${column.name}`);
    }
  }
  const openViolations = async (): Promise<Map<string, string[]>> => {
    const { rows } = await p.pool.query<{ urn: string; policies: string[] }>(
      `SELECT urn, array_agg(policy_id ORDER BY policy_id) AS policies FROM violations WHERE status = 'open' GROUP BY urn`,
    );
    return new Map(rows.map((r) => [r.urn, r.policies]));
  };
  const open1 = await openViolations();
  for (const table of governanceCatalog)
    assert.deepEqual(
      open1.get(urnOf(table)) ?? [],
      [...table.violations].sort(),
      `violations of ${table.qualifiedName}`,
    );

  const { rows: scores } = await p.pool.query<{ urn: string; score: number | null; band: string | null }>(
    'SELECT urn, score, band FROM asset_quality',
  );
  assert.equal(scores.length, governanceCatalog.length);
  for (const s of scores) {
    assert.ok(s.score !== null && s.score > 0 && s.score <= 100, `score of ${s.urn}: ${String(s.score)}`);
    assert.ok(['healthy', 'at_risk', 'critical'].includes(s.band ?? ''), `band of ${s.urn}`);
  }

  await p.client.indices.refresh({ index: p.alias });
  const payments = await p.client.get<{
    classes: string[];
    sensitivity: string;
    violations: { open: number; worstSeverity?: string; openPolicies: string[] };
    quality: { band: string; score?: number };
  }>({ index: p.alias, id: urnOf(tableNamed('shop.public.payments')) });
  assert.deepEqual(payments._source?.classes, ['card_security_code', 'payment_card']);
  assert.equal(payments._source?.sensitivity, 'restricted');
  assert.equal(payments._source?.violations.open, 3);
  assert.equal(payments._source?.violations.worstSeverity, 'critical');
  assert.ok(payments._source?.quality.score !== undefined);

  // Phase 2: stewards act, a policy is created, the monitor escalates.
  const hr = tableNamed('hr.employees');
  const fix: ChangeEvent = catalogEvent(hr, 101, T2, { owners: ['team-people'], tags: ['retention:365d'] });
  await p.produce([fix]);
  const paymentsUrn = urnOf(tableNamed('shop.public.payments'));
  await sendCommands([
    {
      id: commandId('test', 'reject-cvv'),
      kind: 'decide-classification',
      target: 'compliance',
      urn: paymentsUrn,
      issuedAt: T2,
      issuedBy: 'ana',
      reason: 'CVV column holds fraud scores',
      payload: JSON.stringify({ column: 'cvv', class: 'card_security_code', decision: 'reject', by: 'ana' }),
    },
  ]);
  const created = await putPolicy(
    p.pool,
    {
      id: 'mysql-has-domain',
      title: 'MySQL assets name their data domain',
      description: 'Every asset on MySQL carries a domain:<name> tag.',
      severity: 'low',
      scope: { platforms: ['mysql'] },
      assert: { kind: 'has-tag', anyOf: ['domain:*'] },
      remediation: 'Tag the asset with its data domain.',
      slaHours: 720,
      references: [],
      waivers: [],
      enabled: true,
    },
    'test',
  );
  assert.ok(created.ok && created.changed && created.policy.version === 1);
  await settle('the steward changes applied');
  const sink = { pool: p.pool, producer, codec: p.codec, commands: commandsTopic };
  await fanOutCommands<{ urn: string }>(
    sink,
    { sql: 'SELECT urn FROM assets WHERE NOT deleted AND urn > $1 ORDER BY urn LIMIT $2' },
    (row) => ({
      id: commandId('test-policy', row.urn),
      kind: 're-evaluate',
      target: 'compliance',
      urn: row.urn,
      issuedAt: T2,
      issuedBy: 'test',
      reason: 'policy created',
      payload: null,
    }),
  );
  await settle('the new policy evaluated');
  const monitor = violationMonitorSweep({ ...sink, job: 'violation-monitor' });
  const outcome = await monitor.run({
    job: resolveJobs({}).find((j) => j.name === 'violation-monitor') ?? assert.fail('no job'),
    slot: new Date(Date.now() + 2 * 86_400_000),
    logger: createLogger({ level: 'warn', name: 'test' }),
    progress: () => Promise.resolve(),
  });
  assert.ok(Number(outcome.reevaluateSent) >= 1, JSON.stringify(outcome));
  await settle('the escalations recorded');

  const open2 = await openViolations();
  assert.deepEqual(open2.get(urnOf(hr)), ['mysql-has-domain']);
  assert.deepEqual(open2.get(paymentsUrn), ['card-numbers-unreadable', 'personal-data-has-retention']);
  const { rows: transitionRows } = await p.pool.query<{
    id: string;
    urn: string;
    policy_id: string;
    kind: string;
  }>(
    `SELECT t.id, v.urn, v.policy_id, t.kind FROM violation_transitions t JOIN violations v ON v.id = t.violation_id`,
  );
  const kinds = (urn: string, policy: string): string[] =>
    transitionRows
      .filter((r) => r.urn === urn && r.policy_id === policy)
      .map((r) => r.kind)
      .sort();
  assert.deepEqual(kinds(urnOf(hr), 'personal-data-has-owner'), ['opened', 'resolved']);
  assert.deepEqual(kinds(paymentsUrn, 'no-card-security-codes'), ['opened', 'resolved']);
  assert.deepEqual(kinds(paymentsUrn, 'card-numbers-unreadable'), ['escalated', 'opened']);
  const expectedTransitions =
    governanceCatalog.reduce((n, table) => n + table.violations.length, 0) + 3 + 1 + 2;
  // opened per catalog violation; resolved ×3 (owner, retention, cvv); opened mysql-has-domain; escalated ×2 (card, api key: 24 h SLAs)
  assert.equal(
    transitionRows.length,
    expectedTransitions,
    JSON.stringify(transitionRows.map((r) => [r.policy_id, r.kind])),
  );
  const before = new Set(transitionRows.map((r) => r.id));
  const kpis = await computeKpis(p.pool, new Date(Date.now() + 60_000));
  assert.deepEqual(kpis.openViolationsBySeverity, { critical: 2, high: 1, low: 1, medium: 1 });
  assert.equal(kpis.escalatedViolations, 2);
  assert.deepEqual(kpis.assetsBySensitivity, { confidential: 1, none: 1, restricted: 5 });
  assert.equal(
    Object.values(kpis.assetsByQualityBand).reduce((a, b) => a + b, 0),
    governanceCatalog.length,
  );
  assert.ok(kpis.meanQualityScore !== null && kpis.meanQualityScore > 50, String(kpis.meanQualityScore));

  // Phase 3: replay everything — the same input again, and every group rewound to the start.
  await stopAll();
  for (const [group, topics] of groups)
    for (const topic of topics)
      await admin.resetOffsets({ groupId: group, topic: topic.name, earliest: true });
  await p.produce([...firstEvents, fix]);
  await startAll();
  await settle('the replay processed');

  const { rows: afterRows } = await p.pool.query<{ id: string }>('SELECT id FROM violation_transitions');
  assert.deepEqual(
    new Set(afterRows.map((r) => r.id)),
    before,
    'no transition gained, lost or renamed by the replay',
  );

  const seen = new Map<string, string>();
  const consumer = await p.kafka.consumer();
  await consumer.subscribe({ topic: alertsTopic.name, fromBeginning: true });
  const ends = await admin.fetchTopicOffsets(alertsTopic.name);
  const total = ends.reduce((n, o) => n + Number(o.high), 0);
  let read = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = JSON.stringify(await p.codec.decode(message.value ?? Buffer.alloc(0)));
      const id = (JSON.parse(value) as { id: string }).id;
      const earlier = seen.get(id);
      if (earlier !== undefined)
        assert.equal(value, earlier, `transition ${id} published twice with different content`);
      seen.set(id, value);
      read += 1;
    },
  });
  await waitFor(
    () => Promise.resolve(read),
    (n) => n >= total,
    30_000,
    'the alerts topic read',
  );
  assert.deepEqual(new Set(seen.keys()), before, 'the alerts topic carries exactly the transitions');

  const governance = receiver.received.filter((r) => r.path === '/governance');
  assert.ok(
    receiver.received.every((r) => r.signed),
    'every delivery is signed with the secret',
  );
  assert.deepEqual(
    new Set(governance.map((r) => r.transitionId)),
    before,
    'the catch-all endpoint got every alert',
  );
  const paymentIds = new Set(
    receiver.received.filter((r) => r.path === '/payments').map((r) => r.transitionId),
  );
  // team-payments' endpoint takes high and critical alerts: cvv and card (critical), not retention (medium).
  const expectedPayments = transitionRows
    .filter((r) => r.urn === paymentsUrn && r.policy_id !== 'personal-data-has-retention')
    .map((r) => r.id);
  assert.deepEqual(paymentIds, new Set(expectedPayments));
  const { rows: deliveries } = await p.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM alert_deliveries WHERE status = 'delivered'`,
  );
  assert.equal(Number(deliveries[0]?.n), before.size + paymentIds.size);
  // The clinic's endpoint is down: its alert (the patients table's health violation) is dead-lettered
  // with the reason, once per attempt to deliver it (the first run and the replay), after every retry.
  const { rows: dead } = await p.pool.query<{ endpoint_id: string; attempts: number }>(
    `SELECT endpoint_id, attempts FROM alert_deliveries WHERE status = 'dead'`,
  );
  assert.deepEqual(
    dead.map((d) => d.endpoint_id),
    ['clinic-pager'],
  );
  assert.ok(
    dead.every((d) => d.attempts >= 3),
    JSON.stringify(dead),
  );
  const letters = await p.kafka.consumer();
  await letters.subscribe({ topic: p.dlqTopic.name, fromBeginning: true });
  const reasons: string[] = [];
  await letters.run({
    eachMessage: async ({ message }) => {
      const letter = (await p.codec.decode(message.value ?? Buffer.alloc(0))) as {
        errorCode: string;
        group: string;
        errorMessage: string;
      };
      reasons.push(`${letter.group} ${letter.errorCode} ${letter.errorMessage}`);
    },
  });
  await waitFor(
    () => Promise.resolve(reasons.length),
    (n) => n >= 1,
    30_000,
    'the dead letter',
  );
  await letters.stop();
  assert.match(reasons[0] ?? '', /^steward\.notifier STW_DELIVERY_FAILED clinic-pager: /);

  // No sample value anywhere Steward stores, indexes, emits or logs (short values, like a CVV or an
  // id, are left out: they occur by chance in any text).
  const samples = catalogSamples().filter((s) => s.length >= 8);
  assert.ok(samples.length > 300, `${samples.length} distinct sample values to look for`);
  assert.deepEqual(await samplesInPostgres(p.pool, p.schema, samples), []);
  await p.client.indices.refresh({ index: p.alias });
  const documents = JSON.stringify((await p.client.search({ index: p.alias, size: 100 })).hits.hits);
  assert.deepEqual(
    samples.filter((s) => documents.includes(s)),
    [],
    'Elasticsearch',
  );
  for (const topic of [p.output, results, qualityTopic, alertsTopic]) {
    const reader = await p.kafka.consumer();
    await reader.subscribe({ topic: topic.name, fromBeginning: true });
    const texts: string[] = [];
    const size = (await admin.fetchTopicOffsets(topic.name)).reduce((n, o) => n + Number(o.high), 0);
    await reader.run({
      eachMessage: async ({ message }) => {
        texts.push(message.value ? JSON.stringify(await p.codec.decode(message.value)) : 'null');
      },
    });
    await waitFor(
      () => Promise.resolve(texts.length),
      (n) => n >= size,
      30_000,
      `${topic.name} read`,
    );
    await reader.stop();
    const all = texts.join('\n');
    assert.deepEqual(
      samples.filter((s) => all.includes(s)),
      [],
      `topic ${topic.name}`,
    );
  }
  assert.ok(logs.length > 20, `${logs.length} log lines captured`);
  const logText = logs.join('');
  assert.deepEqual(
    samples.filter((s) => logText.includes(s)),
    [],
    'logs',
  );
  await consumer.stop();
  // Stopped here, before the after-hooks delete the topics under them.
  await stopAll();
  await p.stop();
});
