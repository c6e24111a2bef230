import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Current applications per event, status, verified and country (n = applications, people = sum of party
 * sizes), kept exact by triggers on `applications` in the same transaction as every insert, update and
 * delete — whichever code path writes (intake batch, verification, withdrawal, review, draw, waitlist,
 * purge, erasure, demo seeding, tests writing rows directly). The organizer's counts by status and by
 * country read a few hundred rows from here instead of grouping a million (issue 5).
 *
 * Unlike `intake_counts` ("received", never lowered) these are the counts as they are now.
 *
 * - SQLite (one writer): row triggers; an update fires only when a counted column changes; shard 0.
 * - PostgreSQL: statement triggers with transition tables, so a batch of 500 inserts or a draw that updates
 *   every row costs one grouped upsert, not one per row. The shard is txid % 16: transactions that run at
 *   the same time have nearby txids, so concurrent intake batches rarely wait on one counter row. Upserts are
 *   in key order within a statement.
 *
 * Rows whose n drops to 0 stay (a handful); readers ignore them.
 *
 * The two covering indexes of 005 only served the GROUP BYs this replaces; they go (two fewer index writes
 * per application). (event_id, status, verified, id) serves the list filtered by status and email state
 * (the links in the counts: "submitted, email not confirmed") in id order, and the draw's freeze.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = await isPostgres(db);
  await db.schema
    .createTable('application_counts')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('people', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_counts_pk', ['event_id', 'status', 'verified', 'country', 'shard'])
    .$call((b) => (postgres ? b : b.modifyEnd(sql`without rowid`)))
    .execute();

  await sql`insert into application_counts (event_id, status, verified, country, shard, n, people)
    select event_id, status, verified, country, 0, count(*), sum(party_size) from applications group by event_id, status, verified, country`.execute(db);

  if (postgres) {
    const upsert = (source: string) => `
      insert into application_counts as c (event_id, status, verified, country, shard, n, people)
      select event_id, status, verified, country, (txid_current() % 16)::int, sum(d), sum(p)
      from (${source}) x
      group by event_id, status, verified, country
      having sum(d) <> 0 or sum(p) <> 0
      order by event_id, status, verified, country
      on conflict (event_id, status, verified, country, shard)
      do update set n = c.n + excluded.n, people = c.people + excluded.people`;
    const added = 'select event_id, status, verified, country, 1 as d, party_size as p from new_rows';
    const removed = 'select event_id, status, verified, country, -1 as d, -party_size as p from old_rows';
    const fn = async (name: string, body: string) =>
      sql
        .raw(`create function ${name}() returns trigger language plpgsql as $fn$ begin ${body}; return null; end $fn$`)
        .execute(db);
    await fn('application_counts_ins', upsert(added));
    await fn('application_counts_upd', upsert(`${added} union all ${removed}`));
    await fn('application_counts_del', upsert(removed));
    await sql
      .raw(
        `create trigger application_counts_ins after insert on applications referencing new table as new_rows for each statement execute function application_counts_ins();
         create trigger application_counts_upd after update on applications referencing old table as old_rows new table as new_rows for each statement execute function application_counts_upd();
         create trigger application_counts_del after delete on applications referencing old table as old_rows for each statement execute function application_counts_del();`,
      )
      .execute(db);
  } else {
    const bump = (row: 'new' | 'old', sign: '+' | '-') => `
      insert into application_counts (event_id, status, verified, country, shard, n, people)
      values (${row}.event_id, ${row}.status, ${row}.verified, ${row}.country, 0, ${sign}1, ${sign}${row}.party_size)
      on conflict (event_id, status, verified, country, shard)
      do update set n = n + excluded.n, people = people + excluded.people;`;
    for (const stmt of [
      `create trigger application_counts_ins after insert on applications begin ${bump('new', '+')} end`,
      `create trigger application_counts_upd after update of event_id, status, verified, country, party_size on applications
       when old.event_id is not new.event_id or old.status is not new.status or old.verified is not new.verified
         or old.country is not new.country or old.party_size is not new.party_size
       begin ${bump('old', '-')} ${bump('new', '+')} end`,
      `create trigger application_counts_del after delete on applications begin ${bump('old', '-')} end`,
    ]) {
      await sql.raw(stmt).execute(db);
    }
  }

  await db.schema.dropIndex('applications_count_status_idx').execute();
  await db.schema.dropIndex('applications_count_country_idx').execute();
  await db.schema.createIndex('applications_event_state_idx').on('applications').columns(['event_id', 'status', 'verified', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = await isPostgres(db);
  await db.schema.dropIndex('applications_event_state_idx').execute();
  await db.schema.createIndex('applications_count_status_idx').on('applications').columns(['event_id', 'status', 'verified', 'party_size']).execute();
  await db.schema.createIndex('applications_count_country_idx').on('applications').columns(['event_id', 'country', 'party_size']).execute();
  for (const t of ['ins', 'upd', 'del']) {
    await sql.raw(`drop trigger if exists application_counts_${t}${postgres ? ' on applications' : ''}`).execute(db);
    if (postgres) await sql.raw(`drop function if exists application_counts_${t}()`).execute(db);
  }
  await db.schema.dropTable('application_counts').execute();
}

async function isPostgres(db: Kysely<any>): Promise<boolean> {
  return !(db.getExecutor().adapter instanceof SqliteAdapter);
}
