import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { doorCodeFromBytes } from '../../domain/door-code.ts';

/**
 * Event editor, deadlines and door codes (issue 9, items 4, 6, 7):
 * - events.confirm_until: a fixed confirm deadline (UTC ISO) instead of confirm_hours after the offer;
 *   events.invite_confirm_hours: the confirm window of invites (null = the event's default);
 *   events.mail_sender_name / mail_reply_to: how the event's mails say who sent them.
 * - applications.offer_reminded_at: the reminder 24 h before an offer expires was enqueued (once per offer;
 *   reset when an offer is made or extended).
 * - tickets.door_code: the short typed code (src/domain/door-code.ts), unique per event; the index leads with the
 *   code so both lookups — at one event's door, and by the API without an event — are one index probe. Tickets issued before this migration get one here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('confirm_until', 'text').execute();
  await db.schema.alterTable('events').addColumn('invite_confirm_hours', 'integer').execute();
  await db.schema.alterTable('events').addColumn('mail_sender_name', 'text').execute();
  await db.schema.alterTable('events').addColumn('mail_reply_to', 'text').execute();
  await db.schema.alterTable('applications').addColumn('offer_reminded_at', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('door_code', 'text').execute();

  const tickets = await db.selectFrom('tickets').select(['id', 'event_id']).execute();
  const taken = new Set<string>();
  for (const t of tickets as { id: string; event_id: string }[]) {
    let code: string | null = null;
    while (!code || taken.has(`${t.event_id}:${code}`)) code = doorCodeFromBytes(randomBytes(6));
    taken.add(`${t.event_id}:${code}`);
    await db.updateTable('tickets').set({ door_code: code }).where('id', '=', t.id).execute();
  }
  await db.schema.createIndex('tickets_event_door_code').unique().on('tickets').columns(['door_code', 'event_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_event_door_code').execute();
  await db.schema.alterTable('tickets').dropColumn('door_code').execute();
  await db.schema.alterTable('applications').dropColumn('offer_reminded_at').execute();
  for (const c of ['mail_reply_to', 'mail_sender_name', 'invite_confirm_hours', 'confirm_until']) await db.schema.alterTable('events').dropColumn(c).execute();
}
