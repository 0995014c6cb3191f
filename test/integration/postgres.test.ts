import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { endpoints, postgresSchemaFor } from '../helpers/services.ts';

test('migrate should apply every migration once into the target schema and be a no-op the second time', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  const first = await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  assert.ok(first.length >= 1, 'at least one migration applied');
  const second = await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  assert.deepEqual(second, []);

  await pool.query(`INSERT INTO steward_meta (key, value) VALUES ('topics', '{"version": 1}')`);
  const { rows } = await pool.query<{ value: { version: number } }>(
    `SELECT value FROM steward_meta WHERE key = 'topics'`,
  );
  assert.deepEqual(rows[0]?.value, { version: 1 });
  const recorded = await pool.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
  assert.deepEqual(
    recorded.rows.map((r) => r.name),
    first,
  );
});
