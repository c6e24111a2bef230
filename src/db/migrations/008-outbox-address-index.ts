import type { Kysely } from 'kysely';

/**
 * Erasure finds the mails to an address (retention, purge of unverified applications) by event and address:
 * without this index every erased address would scan the event's whole outbox.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('outbox_address_idx').on('outbox').columns(['event_id', 'to_address']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_address_idx').execute();
}
