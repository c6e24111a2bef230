import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Issue 12: the public event page is rendered once per (event version, language) and reused (ADR 0012). Every
 * instance asks for the version with one cheap indexed read per request, so `events.version` must change with
 * every write to the row, whichever code path writes it — kept by a trigger, not by the application:
 * - PostgreSQL: BEFORE UPDATE, only when the row really changes (the seat lock's no-op UPDATE does not count);
 * - SQLite: AFTER UPDATE (no row comparison there); a no-op UPDATE costs one re-render, never a stale page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  if (await isPostgres(db)) {
    await sql`create function events_version_bump() returns trigger language plpgsql as $$
begin
  new.version := old.version + 1;
  return new;
end $$`.execute(db);
    await sql`create trigger events_version before update on events for each row
when (old.* is distinct from new.*) execute function events_version_bump()`.execute(db);
  } else {
    await sql`create trigger events_version after update on events for each row when new.version = old.version
begin
  update events set version = old.version + 1 where id = new.id;
end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = await isPostgres(db);
  await sql.raw(`drop trigger if exists events_version${postgres ? ' on events' : ''}`).execute(db);
  if (postgres) await sql`drop function if exists events_version_bump()`.execute(db);
  await db.schema.alterTable('events').dropColumn('version').execute();
}

async function isPostgres(db: Kysely<any>): Promise<boolean> {
  return !(db.getExecutor().adapter instanceof SqliteAdapter);
}
