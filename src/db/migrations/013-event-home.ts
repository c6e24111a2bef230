import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Applications now by event × status × email state × PARTY SIZE, for the event home's "party sizes" chart
 * (issue 9): kept exact by triggers on `applications` exactly like `application_counts` (migration 006, whose
 * comment explains the SQLite row triggers and the PostgreSQL statement triggers with a txid shard). A GROUP BY
 * party_size over a million applications is what the overview must not do; this is a few dozen rows per event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = !(db.getExecutor().adapter instanceof SqliteAdapter);
  await db.schema
    .createTable('application_party_counts')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull())
    .addColumn('party_size', 'integer', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_party_counts_pk', ['event_id', 'status', 'verified', 'party_size', 'shard'])
    .$call((b) => (postgres ? b : b.modifyEnd(sql`without rowid`)))
    .execute();

  await sql`insert into application_party_counts (event_id, status, verified, party_size, shard, n)
    select event_id, status, verified, party_size, 0, count(*) from applications group by event_id, status, verified, party_size`.execute(db);

  if (postgres) {
    const upsert = (source: string) => `
      insert into application_party_counts as c (event_id, status, verified, party_size, shard, n)
      select event_id, status, verified, party_size, (txid_current() % 16)::int, sum(d)
      from (${source}) x
      group by event_id, status, verified, party_size
      having sum(d) <> 0
      order by event_id, status, verified, party_size
      on conflict (event_id, status, verified, party_size, shard)
      do update set n = c.n + excluded.n`;
    const added = 'select event_id, status, verified, party_size, 1 as d from new_rows';
    const removed = 'select event_id, status, verified, party_size, -1 as d from old_rows';
    const fn = (name: string, body: string) =>
      sql.raw(`create function ${name}() returns trigger language plpgsql as $fn$ begin ${body}; return null; end $fn$`).execute(db);
    await fn('application_party_counts_ins', upsert(added));
    await fn('application_party_counts_upd', upsert(`${added} union all ${removed}`));
    await fn('application_party_counts_del', upsert(removed));
    await sql
      .raw(
        `create trigger application_party_counts_ins after insert on applications referencing new table as new_rows for each statement execute function application_party_counts_ins();
         create trigger application_party_counts_upd after update on applications referencing old table as old_rows new table as new_rows for each statement execute function application_party_counts_upd();
         create trigger application_party_counts_del after delete on applications referencing old table as old_rows for each statement execute function application_party_counts_del();`,
      )
      .execute(db);
  } else {
    const bump = (row: 'new' | 'old', sign: '+' | '-') => `
      insert into application_party_counts (event_id, status, verified, party_size, shard, n)
      values (${row}.event_id, ${row}.status, ${row}.verified, ${row}.party_size, 0, ${sign}1)
      on conflict (event_id, status, verified, party_size, shard)
      do update set n = n + excluded.n;`;
    for (const stmt of [
      `create trigger application_party_counts_ins after insert on applications begin ${bump('new', '+')} end`,
      `create trigger application_party_counts_upd after update of event_id, status, verified, party_size on applications
       when old.event_id is not new.event_id or old.status is not new.status or old.verified is not new.verified
         or old.party_size is not new.party_size
       begin ${bump('old', '-')} ${bump('new', '+')} end`,
      `create trigger application_party_counts_del after delete on applications begin ${bump('old', '-')} end`,
    ]) {
      await sql.raw(stmt).execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = !(db.getExecutor().adapter instanceof SqliteAdapter);
  for (const t of ['ins', 'upd', 'del']) {
    await sql.raw(`drop trigger if exists application_party_counts_${t}${postgres ? ' on applications' : ''}`).execute(db);
    if (postgres) await sql.raw(`drop function if exists application_party_counts_${t}()`).execute(db);
  }
  await db.schema.dropTable('application_party_counts').execute();
}
