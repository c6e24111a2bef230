import { createHmac } from 'node:crypto';
import QRCode from 'qrcode';
import type { Queryable } from '../db/connect.ts';
import { type DoorCode, doorCodeFromBytes } from '../domain/door-code.ts';
import { hashToken, type RandomSource } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { ensureDoorKey, findDoorKey, signTicket } from './door-keys.ts';

/**
 * Tickets: one per person in a confirmed party, named, carrying an unguessable token in a QR code.
 *
 * token = base64url(HMAC-SHA256(server secret, "admit-ticket:" ‖ ticket id)) — 256 bits, so nobody can
 * guess one, and the server can render the same QR code again at any time without storing the token:
 * only its SHA-256 is stored (token_hash), as for status links. Rotating the server secret therefore
 * invalidates every ticket's QR code (the tickets page renders new ones; printed copies stop working).
 */
export function ticketToken(secret: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`admit-ticket:${ticketId}`).digest('base64url');
}

/**
 * What a scanner or a person typed → the token: whitespace removed, a URL reduced to its last segment.
 * A signed payload (AD1.…, ADR 0015) is returned as it stands, from its version tag on.
 */
export function normalizeTicketCode(input: string): string {
  const s = input.replace(/\s+/g, '');
  const signed = s.lastIndexOf('AD1.');
  if (signed >= 0 && (signed === 0 || s[signed - 1] === '/')) return s.slice(signed);
  const m = s.match(/\/([A-Za-z0-9_-]{20,})\/?$/);
  return m ? m[1] : s;
}

export interface TicketHolder {
  position: number;
  name: string;
}

/** 0 = the applicant, 1.. = guests in party order; an unnamed seat is "Name +n". */
export function ticketHolders(app: { name: string; guests: { name: string }[] }, seats: number): TicketHolder[] {
  return Array.from({ length: seats }, (_, i) => ({
    position: i,
    name: i === 0 ? app.name : app.guests[i - 1]?.name?.trim() || `${app.name} +${i}`,
  }));
}

/**
 * A fresh door code (src/domain/door-code.ts). 45 random bits: among the tickets of one event a repeat is
 * about n²/2⁴⁶ likely (1 in 7,000 for 100,000 tickets); the unique index (event_id, door_code) refuses it,
 * the confirmation rolls back and the guest simply confirms again.
 */
export function newDoorCode(random: RandomSource): DoorCode {
  for (;;) {
    const code = doorCodeFromBytes(random.bytes(6));
    if (code) return code;
  }
}

/** Inserts the party's tickets in the caller's transaction (the confirmation). */
export async function issueTickets(
  trx: Queryable,
  deps: Pick<Deps, 'clock' | 'random' | 'config'>,
  app: { id: string; eventId: string },
  holders: readonly TicketHolder[],
  nowIso: string,
): Promise<{ id: string; doorCode: DoorCode }[]> {
  const rows = holders.map((h) => {
    const id = nextId(deps);
    return {
      id,
      event_id: app.eventId,
      application_id: app.id,
      position: h.position,
      holder_name: h.name,
      token_hash: hashToken(ticketToken(deps.config.secret, id)),
      door_code: newDoorCode(deps.random),
      created_at: nowIso,
      checked_in_at: null,
      checked_in_by: null,
      voided_at: null,
    };
  });
  if (rows.length) {
    await trx.insertInto('tickets').values(rows).execute();
    // The event's signing key exists before its first QR code is shown (ADR 0015).
    await ensureDoorKey(trx, deps, app.eventId);
  }
  return rows.map((r) => ({ id: r.id, doorCode: r.door_code }));
}

/** A party that gives its place back keeps no valid ticket. */
export async function voidTickets(trx: Queryable, applicationId: string, nowIso: string): Promise<void> {
  await trx.updateTable('tickets').set({ voided_at: nowIso }).where('application_id', '=', applicationId).where('voided_at', 'is', null).execute();
}

export interface TicketView {
  id: string;
  position: number;
  holderName: string;
  /** The QR code's text (ticketQrText): the signed payload, or the old token for events without a key. */
  token: string;
  /** null only for a ticket a database copy lost its code for; every issued ticket has one. */
  doorCode: DoorCode | null;
  checkedInAt: string | null;
}

/**
 * What a ticket's QR code says — the ONE place that decides it (the tickets page, PDF tickets and mails all
 * ask here). Since issue 15: the event-signed payload `AD1.<event>.<ticket>.<position>.<signature>`
 * (domain/signed-ticket.ts, ADR 0015), which a door device verifies offline. An event without a signing key
 * yet (tickets issued before migration 022 and never synced) keeps the old HMAC token; the door accepts both
 * online, so printed old tickets keep working.
 */
export function ticketQrText(secret: string, sealedEventKey: string | null, t: { id: string; eventId: string; position: number }): string {
  return sealedEventKey ? signTicket(secret, sealedEventKey, { eventId: t.eventId, ticketId: t.id, position: t.position }) : ticketToken(secret, t.id);
}

export async function ticketsForApplication(db: Queryable, secret: string, applicationId: string): Promise<TicketView[]> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'event_id', 'position', 'holder_name', 'checked_in_at', 'door_code'])
    .where('application_id', '=', applicationId)
    .where('voided_at', 'is', null)
    .orderBy('position')
    .execute();
  const key = rows.length ? await findDoorKey(db, rows[0].event_id) : null;
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    holderName: r.holder_name,
    token: ticketQrText(secret, key?.sealed ?? null, { id: r.id, eventId: r.event_id, position: r.position }),
    doorCode: r.door_code,
    checkedInAt: r.checked_in_at,
  }));
}

/** The QR code as an SVG data URL (the CSP allows img data:). Error correction M survives a creased printout. */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
