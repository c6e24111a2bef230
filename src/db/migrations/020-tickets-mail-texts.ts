import type { Kysely } from 'kysely';

/**
 * Issue 13, parts 2 and 4 (ADR 0014).
 * - tickets.holder_email: a guest's own address, given by the applicant when confirming; that guest then gets
 *   their own mail, PDF ticket and reminders through their own link (ticket_links). reminded_at / thanked_at:
 *   the automatic mails go once per person (conditional UPDATE, as offer_reminded_at).
 * - ticket_links: a guest's capability link /t/<token>, stored as SHA-256 like application_links.
 * - event_mail_texts: an organizer's wording of a built-in mail per event and language (subject + body with
 *   placeholders); no row = the built-in text.
 * - event_auto_mails: the reminder before and the thank-you after the event, switched per event, with their
 *   offset in hours.
 * All added columns are nullable: instant on both databases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('holder_email', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('holder_locale', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('reminded_at', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('thanked_at', 'text').execute();
  await db.schema
    .createTable('ticket_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_links_ticket').on('ticket_links').column('ticket_id').execute();
  await db.schema
    .createTable('event_mail_texts')
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_mail_texts_pk', ['event_id', 'template', 'locale'])
    .execute();
  await db.schema
    .createTable('event_auto_mails')
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('offset_hours', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_auto_mails_pk', ['event_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_auto_mails').execute();
  await db.schema.dropTable('event_mail_texts').execute();
  await db.schema.dropTable('ticket_links').execute();
  for (const c of ['thanked_at', 'reminded_at', 'holder_locale', 'holder_email']) await db.schema.alterTable('tickets').dropColumn(c).execute();
}
