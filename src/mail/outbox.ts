import type { Queryable } from '../db/connect.ts';
import type { RenderedMail } from './render.ts';

export interface Attachment {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
}

export interface OutgoingMail {
  id: string;
  kind: string;
  to: string;
  eventId?: string | null;
  mail: RenderedMail;
  attachments?: Attachment[];
  now: string;
}

/**
 * Written in the same transaction as the change it reports (STYLE habit 10): a rollback
 * never sends mail, a crash after commit never loses it. The sender picks it up after commit.
 */
export async function enqueueMail(db: Queryable, m: OutgoingMail): Promise<void> {
  await db.insertInto('outbox').values(outboxRow(m)).execute();
}

export function outboxRow(m: OutgoingMail) {
  return {
    id: m.id,
    kind: m.kind,
    to_address: m.to,
    subject: m.mail.subject,
    text_body: m.mail.text,
    html_body: m.mail.html,
    attachments: m.attachments?.length ? JSON.stringify(m.attachments) : null,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: m.now,
    locked_until: null,
    locked_by: null,
    last_error: null,
    created_at: m.now,
    sent_at: null,
    event_id: m.eventId ?? null,
  };
}
