import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Launch-day intake (issue 5, ADR 0004): idempotency records, review flags for likely duplicates and
 * same-household parties, the lookup keys that find them, and per-day intake counters.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Idempotency-Key (API) and one-time form tokens. key_hash = SHA-256 of scope, event and key; the
  // row is written in the same transaction as the application, so a replay can never create a second one.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    /** JSON: the response body sent the first time. */
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idempotency_keys_expires_idx').on('idempotency_keys').column('expires_at').execute();

  // Lookup keys for review flags (src/intake/keys.ts): key → the FIRST application that had it. Later
  // applications with the same key are flagged against that one and add no row, so a common name costs one
  // row, and a lookup is a point query. Pseudonymous (HMACs), no foreign key: purging an application deletes
  // its keys explicitly (purgeUnverifiedApplications), erasing an event's data deletes WHERE event_id = ?.
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('intake_keys')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('intake_keys_pk', ['event_id', 'key'])
    .$call((b) => (sqlite ? b.modifyEnd(sql`without rowid`) : b))
    .execute();

  // For review, never for silent dropping: kind = possible_duplicate | same_household.
  await db.schema
    .createTable('application_flags')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    /** The earlier application it resembles. */
    .addColumn('related_id', 'text')
    /** Which key matched, e.g. e (email), p (applicant name), g (guest name). */
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_flags_pk', ['application_id', 'kind'])
    .execute();
  await db.schema.createIndex('application_flags_event_idx').on('application_flags').columns(['event_id', 'kind', 'application_id']).execute();

  // Applications received per event, day (in the event's time zone) and country; organizer counts read
  // this instead of scanning a million rows. Sharded so concurrent batches rarely wait on one row.
  await db.schema
    .createTable('intake_counts')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('received', 'integer', (c) => c.notNull())
    .addColumn('people', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('intake_counts_pk', ['event_id', 'day', 'country', 'shard'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['intake_counts', 'application_flags', 'intake_keys', 'idempotency_keys']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
