import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, migrateToLatest, type Database, type Dialect } from '../../src/db/connect.ts';

export interface TestDatabase extends Database {
  dataDir: string;
  /** Drops the schema / deletes the files. */
  destroy(): Promise<void>;
}

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function dialects(): Dialect[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh, migrated database of its own (a temp dir for SQLite, a new schema for PostgreSQL). */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-test-'));
  const url = dialect === 'postgres' ? process.env.TEST_DATABASE_URL! : null;
  const schema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const database = await connectDatabase({ url, dataDir, schema, poolSize: 5 });
  await migrateToLatest(database.db);
  return {
    ...database,
    dataDir,
    async destroy() {
      await database.close();
      if (url && schema) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
