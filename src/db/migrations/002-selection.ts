import type { Kysely } from 'kysely';

/**
 * Selection (issue 4): offers with deadlines, invites, review, the draw with commit–reveal,
 * staged reveal and tickets. Application status values after this migration:
 *   submitted    in the pool (verified or not; only verified ones are drawn)
 *   withdrawn    by the applicant
 *   held         kept out of the draw by a reviewer for now
 *   rejected     by a reviewer
 *   offered      holds seats until offer_expires_at (source: invite | review | draw | waitlist)
 *   confirmed    holds seats, gets tickets
 *   declined     gave the offer back
 *   expired      did not confirm in time
 *   waitlisted   drawn but no seat yet; promoted in draw order
 *   not_selected not drawn and not on the waitlist (only when the organizer closes the waitlist)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('confirm_hours', 'integer', (c) => c.notNull().defaultTo(72)).execute();
  await db.schema.alterTable('events').addColumn('retention_days', 'integer', (c) => c.notNull().defaultTo(30)).execute();
  await db.schema.alterTable('events').addColumn('venue_map_url', 'text').execute();
  await db.schema.alterTable('events').addColumn('reveal_at', 'text').execute();
  await db.schema.alterTable('events').addColumn('revealed_at', 'text').execute();

  for (const [name, type] of [
    ['kind', 'text'],
    ['category', 'text'],
    ['offer_source', 'text'],
    ['offer_expires_at', 'text'],
    ['seats', 'integer'],
    ['entry_id', 'text'],
    ['draw_position', 'integer'],
    ['review_note', 'text'],
    ['confirmed_at', 'text'],
    ['erased_at', 'text'],
  ] as const) {
    await db.schema
      .alterTable('applications')
      .addColumn(name, type, (c) => (name === 'kind' ? c.notNull().defaultTo('application') : c))
      .execute();
  }
  // The scheduler looks for offers past their deadline; promotion walks the waitlist by position.
  await db.schema.createIndex('applications_offer_due_idx').on('applications').columns(['status', 'offer_expires_at']).execute();
  await db.schema.createIndex('applications_event_position_idx').on('applications').columns(['event_id', 'draw_position']).execute();

  await db.schema
    .createTable('draws')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique().references('events.id'))
    .addColumn('status', 'text', (c) => c.notNull()) // committed | frozen | drawn
    .addColumn('commitment', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('committed_at', 'text', (c) => c.notNull())
    .addColumn('public_randomness_label', 'text')
    .addColumn('public_randomness_value', 'text')
    .addColumn('frozen_at', 'text')
    .addColumn('freeze_hash', 'text')
    /** JSON: the FreezeRecord (parameters + entries) as hashed at the freeze. */
    .addColumn('freeze_record', 'text')
    /** JSON: the published audit bundle, after the draw. */
    .addColumn('bundle', 'text')
    .addColumn('result_hash', 'text')
    .addColumn('drawn_at', 'text')
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('holder_name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', 'text')
    .addColumn('checked_in_by', 'text')
    .addColumn('voided_at', 'text')
    .execute();
  await db.schema.createIndex('tickets_event_idx').on('tickets').columns(['event_id', 'holder_name']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tickets').ifExists().execute();
  await db.schema.dropTable('draws').ifExists().execute();
}
