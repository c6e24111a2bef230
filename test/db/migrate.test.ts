import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { connectDatabase, migrateToLatest, type Database } from '../../src/db/connect.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { dialects } from '../helpers/db.ts';

/**
 * Two instances starting at once on one fresh database: each migration runs exactly once, both succeed.
 * (SQLite is one process per data dir, and better-sqlite3 blocks its thread on a lock, so there the two run
 * one after the other.)
 */
for (const dialect of dialects()) {
  test(`migrations: two instances migrate one fresh database [${dialect}]`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'admit-migrate-'));
    const url = dialect === 'postgres' ? process.env.TEST_DATABASE_URL! : null;
    const schema = url ? `m_${randomBytes(6).toString('hex')}` : undefined;
    const a: Database = await connectDatabase({ url, dataDir, schema, poolSize: 2 });
    const b: Database = await connectDatabase({ url, dataDir, schema, poolSize: 2 });
    // A neighbour schema dropped while we migrate must not disturb us (PostgreSQL catalogue race).
    const neighbour = url ? await dropInABit(url) : Promise.resolve();
    try {
      if (url) await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db), neighbour]);
      else for (const d of [a, b]) await migrateToLatest(d.db);
      const rows = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(a.db)).rows.map((r) => r.name);
      assert.deepEqual(rows, migrations.map(([name]) => name));
      await migrateToLatest(b.db); // idempotent
      const again = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(b.db);
      assert.equal(Number(again.rows[0]!.n), migrations.length);
      // the schema works: a table from the first migration is there
      await sql`select count(*) from events`.execute(a.db);
    } finally {
      await a.close();
      await b.close();
      if (url && schema) await query(url, `drop schema if exists ${schema} cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

async function query(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Creates a schema with a few tables and drops it concurrently with the migration. */
async function dropInABit(url: string): Promise<void> {
  const other = `n_${randomBytes(6).toString('hex')}`;
  await query(url, `create schema ${other}; ${Array.from({ length: 20 }, (_, i) => `create table ${other}.t${i} (id serial primary key)`).join(';')}`);
  return new Promise((resolve, reject) => setTimeout(() => query(url, `drop schema ${other} cascade`).then(resolve, reject), 5));
}
