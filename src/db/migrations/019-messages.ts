import type { Kysely } from 'kysely';

/**
 * Issue 13: messages from the organizer, suppression and bounces (ADR 0013).
 * - messages: one row per composed message; its recipients are expanded into the outbox in ONE transaction
 *   (status scheduled → queued), so a crash either leaves it scheduled or every recipient's mail queued.
 * - outbox.message_id / application_id: which message and which application a mail belongs to (the message log,
 *   the application's mail history); outbox.bounced_at: a delivery status notification said it failed.
 * - mail_suppressions: addresses not to mail. scope '' = every mail (a hard bounce), an event id = that event's
 *   organizer messages and reminders only (one-click unsubscribe).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('fallback_locale', 'text', (c) => c.notNull())
    .addColumn('send_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('recipients', 'integer')
    .addColumn('queued_at', 'text')
    .execute();
  await db.schema.createIndex('messages_event').on('messages').columns(['event_id', 'created_at']).execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['status', 'send_at']).execute();

  await db.schema.alterTable('outbox').addColumn('message_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('application_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('bounced_at', 'text').execute();
  await db.schema.createIndex('outbox_message').on('outbox').columns(['message_id', 'status']).execute();
  await db.schema.createIndex('outbox_application').on('outbox').column('application_id').execute();

  await db.schema
    .createTable('mail_suppressions')
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_suppressions_pk', ['email_normalized', 'scope'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_suppressions').execute();
  await db.schema.dropIndex('outbox_application').execute();
  await db.schema.dropIndex('outbox_message').execute();
  await db.schema.alterTable('outbox').dropColumn('bounced_at').execute();
  await db.schema.alterTable('outbox').dropColumn('application_id').execute();
  await db.schema.alterTable('outbox').dropColumn('message_id').execute();
  await db.schema.dropTable('messages').execute();
}
