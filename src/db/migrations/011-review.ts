import type { Kysely } from 'kysely';
import { searchColumns } from '../../domain/search.ts';

/**
 * Review at scale (issue 9):
 * - `applications.search_text` / `sort_name`: folded name, guests' names and address (src/domain/search.ts),
 *   written in JavaScript with every row (same folding on both databases); filled here for existing rows.
 *   search_text stays NULL for rows written by paths that predate it — the search falls back to the old columns.
 * - `applications.review_score` (average of the reviewers' 1–5 scores × 100, 0 = none yet) and `review_count`,
 *   kept by the scoring service in the transaction that writes `application_scores`.
 * - Sorting by name, party size and score reads an index in order, like the date sort: (event_id, key, id).
 *   Country has (event_id, country, id) since 001.
 * - `review_settings`: per event, blind review (reviewers do not see name, address, country).
 * - `draws.held_excluded`: how many held applications the organizer explicitly left out at the freeze.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('search_text', 'text').execute();
  await db.schema.alterTable('applications').addColumn('sort_name', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('applications').addColumn('review_score', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('applications').addColumn('review_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('draws').addColumn('held_excluded', 'integer').execute();

  await db.schema
    .createTable('application_scores')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_scores_pk', ['application_id', 'reviewer_id'])
    .execute();

  await db.schema
    .createTable('review_settings')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('blind', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Existing rows, in id order, a thousand at a time.
  let after = '';
  for (;;) {
    const rows: { id: string; name: string; email: string; guests: string }[] = await db
      .selectFrom('applications')
      .select(['id', 'name', 'email', 'guests'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (!rows.length) break;
    for (const r of rows) {
      let guests: { name: string }[] = [];
      try {
        guests = JSON.parse(r.guests);
      } catch {
        guests = [];
      }
      await db.updateTable('applications').set(searchColumns({ name: r.name, email: r.email, guests })).where('id', '=', r.id).execute();
    }
    after = rows[rows.length - 1].id;
  }

  await db.schema.createIndex('applications_event_name_idx').on('applications').columns(['event_id', 'sort_name', 'id']).execute();
  await db.schema.createIndex('applications_event_party_idx').on('applications').columns(['event_id', 'party_size', 'id']).execute();
  await db.schema.createIndex('applications_event_score_idx').on('applications').columns(['event_id', 'review_score', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_event_score_idx').execute();
  await db.schema.dropIndex('applications_event_party_idx').execute();
  await db.schema.dropIndex('applications_event_name_idx').execute();
  await db.schema.dropTable('review_settings').execute();
  await db.schema.dropTable('application_scores').execute();
  await db.schema.alterTable('draws').dropColumn('held_excluded').execute();
  for (const c of ['review_count', 'review_score', 'sort_name', 'search_text']) await db.schema.alterTable('applications').dropColumn(c).execute();
}
