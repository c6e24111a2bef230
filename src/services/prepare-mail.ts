import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import { mailTextResolver } from './mail-texts.ts';

/**
 * What the sender does to a claimed row right before sending it (ADR 0014): the event's own wording of a built-in
 * mail, and PDF tickets stored by reference rendered from the current state. One function, used by the in-process
 * sender and the sender thread alike. The PDF side (pdfkit, qrcode) is loaded only when a row carries a ticket,
 * so the sender thread starts as fast as before.
 */
export function prepareOutgoingMail(db: Queryable, secret: string, clock: Clock): (row: OutboxRow) => Promise<OutboxRow> {
  const texts = mailTextResolver(db);
  let tickets: ((row: OutboxRow) => Promise<OutboxRow>) | null = null;
  return async (row) => {
    const prepared = await texts(row);
    if (!prepared.attachments?.includes('"ticketPdf"')) return prepared;
    tickets ??= (await import('./ticket-pdf.ts')).ticketPdfResolver(db, secret, clock);
    return tickets(prepared);
  };
}
