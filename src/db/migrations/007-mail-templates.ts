import type { Kysely } from 'kysely';

/**
 * Mail stored by reference (src/mail/templates.ts): the outbox row carries a template name, its locale and
 * its params (JSON), and is rendered when it is sent or shown. Older rows keep their rendered subject and
 * bodies (template null). SQLite cannot relax NOT NULL on subject/text_body/html_body, so template rows store
 * '' there on both databases (one schema, one code path); the three new columns are nullable, so adding them
 * is instant on both (no table rewrite).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('template', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('locale', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('params', 'text').execute();
}

/** Template rows lose their content on the way down: only for a database that has sent them all. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('params').execute();
  await db.schema.alterTable('outbox').dropColumn('locale').execute();
  await db.schema.alterTable('outbox').dropColumn('template').execute();
}
