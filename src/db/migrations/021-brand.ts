import { type Kysely, SqliteAdapter } from 'kysely';

/**
 * The brand's look per event (issue 14, ADR 0016).
 * - event_brands: one row per event that has any: accent colour, the chosen cover and logo (an image set), their
 *   alt text per language (JSON) and the sites allowed to embed the form (JSON array of origins).
 * - brand_images: every stored rendition (width × format) of an uploaded image, addressed by the SHA-256 of its
 *   bytes (the URL) — served by every instance from the database with immutable caching. set_id groups one upload's
 *   renditions for one event (two events with the same picture have their own rows, deleted with their event).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = !(db.getExecutor().adapter instanceof SqliteAdapter);
  await db.schema
    .createTable('event_brands')
    .addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id').onDelete('cascade'))
    .addColumn('accent_color', 'text')
    .addColumn('cover_set', 'text')
    .addColumn('logo_set', 'text')
    .addColumn('alt_text', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('embed_origins', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('brand_images')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('set_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('brand_images_pk', ['set_id', 'width', 'content_type'])
    .execute();
  await db.schema.createIndex('brand_images_hash').on('brand_images').column('hash').execute();
  await db.schema.createIndex('brand_images_event').on('brand_images').column('event_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('brand_images').execute();
  await db.schema.dropTable('event_brands').execute();
}
