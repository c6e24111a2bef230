import type { Kysely } from 'kysely';

/**
 * The organizer's list page counts applications by status and by country on every view. With these
 * covering indexes both GROUP BYs read only the index (never the wide application rows).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('applications_count_status_idx').on('applications').columns(['event_id', 'status', 'verified', 'party_size']).execute();
  await db.schema.createIndex('applications_count_country_idx').on('applications').columns(['event_id', 'country', 'party_size']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_count_country_idx').execute();
  await db.schema.dropIndex('applications_count_status_idx').execute();
}
