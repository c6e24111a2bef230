import type { Kysely } from 'kysely';

/**
 * The revision number of an event's calendar entry (RFC 5545 §3.8.7.4 SEQUENCE). Every change of time or
 * venue raises it, so calendars replace the entry of the same UID instead of keeping the old time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('calendar_sequence', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('calendar_sequence').execute();
}
