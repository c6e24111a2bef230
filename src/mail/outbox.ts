import type { Queryable } from '../db/connect.ts';
import type { RenderedMail } from './render.ts';
import type { MailTemplateRef } from './templates.ts';

export interface Attachment {
  filename: string;
  contentType: string;
  /** base64 ('' for a reference rendered at send time) */
  content: string;
  /** A PDF ticket by reference (services/ticket-pdf.ts), rendered when the mail is sent. */
  ticketPdf?: { applicationId: string; ticketId: string | null; locale: string };
}

interface OutgoingMailBase {
  id: string;
  kind: string;
  to: string;
  eventId?: string | null;
  attachments?: Attachment[];
  now: string;
}

/**
 * A mail to enqueue, in one of two forms:
 * - `template`: a reference to a registered template (src/mail/templates.ts) with its locale and params,
 *   rendered when it is sent or shown. Cheap to enqueue; the preferred form.
 * - `mail`: subject, text and HTML rendered by the caller (the form of every row before migration 007).
 */
export type OutgoingMail = OutgoingMailBase & ({ template: MailTemplateRef; mail?: never } | { mail: RenderedMail; template?: never });

/**
 * Written in the same transaction as the change it reports (STYLE habit 10): a rollback
 * never sends mail, a crash after commit never loses it. The sender picks it up after commit.
 */
export async function enqueueMail(db: Queryable, m: OutgoingMail): Promise<void> {
  await db.insertInto('outbox').values(outboxRow(m)).execute();
}

/**
 * The outbox row for a mail. Every row has the same columns whichever the form (multi-row INSERTs need
 * one shape): a template row stores '' as subject and bodies (the columns are NOT NULL since 001) and
 * its reference in template/locale/params; a rendered row has null there.
 */
export function outboxRow(m: OutgoingMail) {
  const t = m.template;
  return {
    id: m.id,
    kind: m.kind,
    to_address: m.to,
    subject: t ? '' : m.mail!.subject,
    text_body: t ? '' : m.mail!.text,
    html_body: t ? '' : m.mail!.html,
    template: t ? (t.name as string) : null,
    locale: t ? (t.locale as string) : null,
    params: t ? JSON.stringify(t.params) : null,
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
