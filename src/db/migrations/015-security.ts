import type { Kysely } from 'kysely';
import { redactedMailColumns } from '../../mail/capability-links.ts';

/**
 * Security findings of issue 10.
 * - Mails already sent (or given up on) lose their capability links, as the sender now does at send time
 *   (ADR 0007). Walked in id order, a page at a time, inside the migration's transaction.
 * - captcha_spent: solved ALTCHA challenges, shared by every instance on this database, so a solution is
 *   accepted once in the whole deployment (src/http/captcha-spent.ts). Rows expire with their challenge.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await eraseCapabilityLinksOfSentMail(db);
  await db.schema
    .createTable('captcha_spent')
    .addColumn('signature', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('captcha_spent_expires').on('captcha_spent').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('captcha_spent').execute();
}

/** Rows written before the sender erased links at send time (exported for its test). */
export async function eraseCapabilityLinksOfSentMail(db: Kysely<any>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'template', 'params', 'text_body', 'html_body'])
      .where('status', 'in', ['sent', 'failed'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    for (const row of rows) {
      const clean = redactedMailColumns(row);
      if (clean.params !== row.params || clean.text_body !== row.text_body || clean.html_body !== row.html_body) {
        await db.updateTable('outbox').set(clean).where('id', '=', row.id).execute();
      }
    }
  }
}
