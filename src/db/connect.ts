import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from '../platform/private-files.ts';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type { DB } from './schema.ts';
import { migrations } from './migrations/index.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
/** Anything that can run queries: the database or an open transaction. */
export type Queryable = Kysely<DB>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL schema in use (tests create their own). */
  schema: string | null;
  /**
   * SQLite only: the connection under Kysely, for the intake's prepared statements. Use it only while holding
   * Kysely's connection (db.connection().execute), so no other query runs in between.
   */
  sqlite?: SQLite.Database;
  /** How it was opened: a worker thread opens its own connection with these. */
  options: ConnectOptions;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** postgres://… or null for SQLite */
  url: string | null;
  /** Directory holding admit.sqlite (SQLite only). */
  dataDir: string;
  /** PostgreSQL only: use (and create) this schema instead of public. */
  schema?: string;
  /** SQLite only: file name inside dataDir. */
  file?: string;
  poolSize?: number;
}

// COUNT(*) and BIGINT come back as strings from pg; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** The only place that knows SQLite from PostgreSQL (STYLE habit 6). */
export async function connectDatabase(opts: ConnectOptions): Promise<Database> {
  const database = opts.url ? await connectPostgres(opts.url, opts.schema ?? null, opts.poolSize ?? 10) : connectSqlite(opts.dataDir, opts.file ?? 'admit.sqlite');
  return { ...database, options: { ...opts } };
}

function connectSqlite(dataDir: string, file: string): Omit<Database, 'options'> {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, file);
  // 0600 before SQLite opens it: SQLite creates files 0644 and gives -wal/-shm the database file's mode.
  if (file !== ':memory:') {
    ensurePrivateFile(path);
    for (const extra of ['-wal', '-shm', '-journal']) tightenIfPresent(path + extra);
  }
  const sqlite = new SQLite(path);
  // WAL + synchronous=FULL: a commit is on disk (fsync'd WAL) before we acknowledge anything.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    schema: null,
    sqlite,
    close: () => db.destroy(),
  };
}

async function connectPostgres(url: string, schema: string | null, max: number): Promise<Omit<Database, 'options'>> {
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', schema, close: () => db.destroy() };
}

/**
 * Brings the schema up to date: every pending migration in one transaction, under a lock, so two instances
 * starting at once run each migration exactly once (PostgreSQL: an advisory lock per schema; SQLite:
 * BEGIN IMMEDIATE). DDL is transactional on both, so a failed migration leaves nothing half-applied.
 *
 * Our own few lines instead of Kysely's Migrator: that one introspects every table of every schema on
 * PostgreSQL to find its own, which fails ("schema … does not exist") while another schema is being
 * dropped — another tenant, another test — and does needless work on a large catalogue.
 */
export async function migrateToLatest(db: Db): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.connection().execute(async (conn) => {
    await sql.raw(postgres ? 'begin' : 'begin immediate').execute(conn);
    let current = '';
    try {
      if (postgres) await sql`select pg_advisory_xact_lock(hashtext('admit.migrate.' || current_schema()))`.execute(conn);
      // The table name (and its columns) are those Kysely's Migrator used, so older data dirs carry on.
      await sql`create table if not exists kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(conn);
      const done = new Set((await sql<{ name: string }>`select name from kysely_migration`.execute(conn)).rows.map((r) => r.name));
      for (const [name, migration] of migrations) {
        if (done.has(name)) continue;
        current = name;
        await migration.up(conn);
        await sql`insert into kysely_migration (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(conn);
      }
      await sql`commit`.execute(conn);
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw new Error(`migration ${current || '(setup)'} failed: ${(err as Error).message}`, { cause: err });
    }
  });
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Unique-constraint violation, in either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
