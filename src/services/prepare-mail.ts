import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import { mailTextResolver } from './mail-texts.ts';
import { brandMailHtml } from '../mail/brand.ts';
import { renderOutboxMail } from '../mail/templates.ts';

/**
 * What the sender does to a claimed row right before sending it (ADR 0014): the event's own wording of a built-in
 * mail, and PDF tickets stored by reference rendered from the current state. One function, used by the in-process
 * sender and the sender thread alike. The PDF side (pdfkit, qrcode) is loaded only when a row carries a ticket,
 * so the sender thread starts as fast as before.
 */
export function prepareOutgoingMail(db: Queryable, secret: string, clock: Clock): (row: OutboxRow) => Promise<OutboxRow> {
  const texts = mailTextResolver(db);
  const brand = mailBrandResolver(db, clock);
  let tickets: ((row: OutboxRow) => Promise<OutboxRow>) | null = null;
  return async (row) => {
    const prepared = await brand(await texts(row));
    if (!prepared.attachments?.includes('"ticketPdf"')) return prepared;
    tickets ??= (await import('./ticket-pdf.ts')).ticketPdfResolver(db, secret, clock);
    return tickets(prepared);
  };
}

/** How long the sender trusts an event's accent colour it read: a changed colour shows in mails within a minute. */
const BRAND_TTL_MS = 60_000;

/**
 * The event's accent colour in the HTML part (mail/brand.ts): a row of an event with one is rendered here and
 * returned pre-rendered (template null; kind and params stay for the delivery headers). Rows of events without
 * a colour, and rows without an event, are returned unchanged. One query per event and minute.
 */
export function mailBrandResolver(db: Queryable, clock: Clock): (row: OutboxRow) => Promise<OutboxRow> {
  const cache = new Map<string, { accent: string | null; until: number }>();
  const accentOf = async (eventId: string): Promise<string | null> => {
    const now = clock.now().getTime();
    const hit = cache.get(eventId);
    if (hit && hit.until > now) return hit.accent;
    const row = await db.selectFrom('event_brands').select('accent_color').where('event_id', '=', eventId).executeTakeFirst();
    const accent = row?.accent_color ?? null;
    cache.set(eventId, { accent, until: now + BRAND_TTL_MS });
    return accent;
  };
  return async (row) => {
    if (!row.event_id) return row;
    const accent = await accentOf(row.event_id);
    if (!accent) return row;
    const m = renderOutboxMail(row);
    return { ...row, template: null, subject: m.subject, text_body: m.text, html_body: brandMailHtml(m.html, accent) };
  };
}
