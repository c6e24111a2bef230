import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import { mailTextResolver } from './mail-texts.ts';
import { ticketPdfResolver } from './ticket-pdf.ts';

/**
 * What the sender does to a claimed row right before sending it (ADR 0014): the event's own wording of a built-in
 * mail, and PDF tickets stored by reference rendered from the current state. One function, used by the in-process
 * sender and the sender thread alike.
 */
export function prepareOutgoingMail(db: Queryable, secret: string, clock: Clock): (row: OutboxRow) => Promise<OutboxRow> {
  const texts = mailTextResolver(db);
  const tickets = ticketPdfResolver(db, secret, clock);
  return async (row) => tickets(await texts(row));
}
