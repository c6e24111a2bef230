import { AppError, type FieldError } from '../errors.ts';
import { isEmail } from '../domain/email.ts';
import { isLocale } from '../domain/locales.ts';
import { cleanEmail } from '../domain/unicode.ts';
import { giveGuestTicket } from './guest-tickets.ts';
import { ticketPdfAttachment } from './ticket-pdf.ts';
import { contentFor, type Event } from '../domain/event.ts';
import type { Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { eventIcsAttachment, formatEventDetails } from '../mail/after-draw-mails.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Queryable } from '../db/connect.ts';
import { findApplicationByToken } from './applications.ts';
import type { Deps } from './deps.ts';
import { calendarSequence } from './calendar.ts';
import { nextId } from './ids.ts';
import { formatDoorCode } from '../domain/door-code.ts';
import { issueTickets, ticketHolders, voidTickets } from './tickets.ts';
import { promoteLocked, withSeatLock } from './waitlist.ts';

export interface ConfirmInput {
  /**
   * Which of the party's other seats come along: 0-based indexes into the guest seats (seat 1 … seats-1).
   * Omitted = everyone. The party can only shrink: an index outside the offered seats is refused.
   */
  keepGuests?: number[];
  /**
   * Guests' own addresses (optional), by the same guest index: each such guest gets their own mail with their
   * own ticket (PDF) and link, and later the automatic mails (ADR 0014). Blank = the applicant's mails cover them.
   */
  guestEmails?: Record<number, string>;
  /** The language of each such guest's mails, by guest index; missing or unknown = the applicant's. */
  guestLocales?: Record<number, string>;
}

export interface ConfirmResult {
  applicationId: string;
  seats: number;
  /** True when the application was confirmed already (a repeated click): nothing changed. */
  alreadyConfirmed: boolean;
  /** Parties promoted from the waitlist with the seats this party gave back. */
  promoted: number;
}

/** A fresh status-page link for a mail (links are stored only as hashes, so each mail gets its own). */
export async function freshStatusLink(trx: Queryable, deps: Pick<Deps, 'random' | 'config'>, applicationId: string, nowIso: string): Promise<string> {
  const token = newToken(deps.random);
  await trx.insertInto('application_links').values({ token_hash: hashToken(token), application_id: applicationId, created_at: nowIso }).execute();
  return `${deps.config.publicUrl}/a/${token}`;
}

function chosenSeats(seatsBefore: number, keep: number[] | undefined): number[] {
  const places = seatsBefore - 1;
  if (keep === undefined) return Array.from({ length: places }, (_, i) => i);
  const unique = [...new Set(keep)].sort((a, b) => a - b);
  if (unique.some((i) => !Number.isInteger(i) || i < 0)) {
    throw new AppError('validation.failed', { fields: [{ field: 'guests', code: 'invalid' }] });
  }
  if (unique.length > places || unique.some((i) => i >= places)) throw new AppError('offer.cannot_grow');
  return unique;
}

/**
 * Confirms an offer before its deadline (server clock), optionally with fewer guests. Lock late,
 * re-check, write: under the event lock the status and deadline are read again, and the UPDATE
 * itself repeats every condition, so a confirmation racing with expiry, a decline or another click
 * wins at most once. Tickets, the mail and the audit row share the transaction; seats given back
 * go to the waitlist in the same transaction.
 */
export async function confirmApplication(deps: Deps, applicationId: string, input: ConfirmInput = {}, actor = 'applicant'): Promise<ConfirmResult> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const result = await withSeatLock(deps, applicationId, async (trx, event, app) => {
    const seatsBefore = app.seats ?? app.partySize;
    if (app.status === 'confirmed') return { applicationId, seats: seatsBefore, alreadyConfirmed: true, promoted: 0 };
    if (app.status !== 'offered') throw new AppError('offer.not_offered');
    if (!app.offerExpiresAt || nowIso >= app.offerExpiresAt) throw new AppError('offer.expired');

    const keep = chosenSeats(seatsBefore, input.keepGuests);
    const guestEmails = checkedGuestEmails(input.guestEmails, keep);
    const seats = 1 + keep.length;
    const allHolders = ticketHolders(app, seatsBefore);
    const holders = [allHolders[0], ...keep.map((i) => allHolders[i + 1])].map((h, position) => ({ position, name: h.name }));
    const guests = keep.map((i) => app.guests[i]).filter((g) => g !== undefined);

    const res = await trx
      .updateTable('applications')
      .set({ status: 'confirmed', seats, party_size: seats, guests: JSON.stringify(guests), confirmed_at: nowIso, updated_at: nowIso })
      .where('id', '=', applicationId)
      .where('status', '=', 'offered')
      .where('offer_expires_at', '>', nowIso)
      .where('seats', '=', seatsBefore)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('offer.not_offered');

    const tickets = await issueTickets(trx, deps, app, holders, nowIso);
    await mailConfirmation(trx, deps, event, app, { seats, holders: holders.map((h) => h.name), doorCodes: tickets.map((tk) => formatDoorCode(tk.doorCode)), nowIso });
    // Guests with their own address: ticket i+1 belongs to kept guest keep[i].
    for (const [i, guestIndex] of keep.entries()) {
      const email = guestEmails.get(guestIndex);
      if (!email) continue;
      const chosen = input.guestLocales?.[guestIndex];
      const locale = isLocale(chosen) ? chosen : app.locale;
      await giveGuestTicket(trx, deps, event, app, { ticketId: tickets[i + 1].id, name: holders[i + 1].name, email, locale, doorCode: formatDoorCode(tickets[i + 1].doorCode), nowIso });
    }
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action: 'application.confirmed',
      eventId: app.eventId,
      subjectId: app.id,
      data: { seats, offered: seatsBefore },
    });
    const promoted = seats < seatsBefore ? await promoteLocked(trx, deps, event, now) : [];
    return { applicationId, seats, alreadyConfirmed: false, promoted: promoted.length };
  });
  if (!result.alreadyConfirmed) deps.afterCommit?.mailEnqueued();
  return result;
}

async function mailConfirmation(
  trx: Queryable,
  deps: Deps,
  event: Event,
  app: Application,
  p: { seats: number; holders: string[]; doorCodes: string[]; nowIso: string },
): Promise<void> {
  const title = contentFor(event, app.locale).title;
  const url = await freshStatusLink(trx, deps, app.id, p.nowIso);
  const details = formatEventDetails(event, app.locale);
  // Confirmed after the reveal: the details and the calendar entry come right away.
  const ics = details ? eventIcsAttachment(event, app.locale, title, p.nowIso, deps.config.publicUrl, await calendarSequence(trx, event.id)) : null;
  await enqueueMail(trx, {
    id: nextId(deps),
    kind: 'application.confirmed',
    to: app.email,
    eventId: event.id,
    now: p.nowIso,
    template: {
      name: 'application.confirmed',
      locale: app.locale,
      params: { name: app.name, eventTitle: title, seats: p.seats, holders: p.holders, doorCodes: p.doorCodes, ticketsUrl: `${url}/tickets`, details },
    },
    attachments: [...(ics ? [ics] : []), ticketPdfAttachment({ applicationId: app.id, locale: app.locale })],
  });
}

/** Blank addresses dropped, the rest checked; an address for a guest not coming is ignored. */
function checkedGuestEmails(input: Record<number, string> | undefined, keep: number[]): Map<number, string> {
  const out = new Map<number, string>();
  const errors: FieldError[] = [];
  for (const [k, raw] of Object.entries(input ?? {})) {
    const i = Number(k);
    const email = cleanEmail(String(raw ?? '')).trim();
    if (!email || !keep.includes(i)) continue;
    if (!isEmail(email)) errors.push({ field: `guest_email_${i}`, code: 'invalid_email' });
    else out.set(i, email);
  }
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  return out;
}

/**
 * Gives the place back: an open offer or a confirmed place (tickets are voided). The seats go to the
 * waitlist in the same transaction. Idempotent: declining twice changes nothing.
 */
export async function declineApplication(deps: Deps, applicationId: string, actor = 'applicant'): Promise<{ declined: boolean; promoted: number }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const result = await withSeatLock(deps, applicationId, async (trx, event, app) => {
    if (app.status === 'declined') return { declined: false, promoted: 0 };
    if (app.status !== 'offered' && app.status !== 'confirmed') throw new AppError('offer.not_offered');
    const res = await trx
      .updateTable('applications')
      .set({ status: 'declined', updated_at: nowIso })
      .where('id', '=', app.id)
      .where('status', '=', app.status)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('offer.not_offered');
    await voidTickets(trx, app.id, nowIso);
    await enqueueMail(trx, {
      id: nextId(deps),
      kind: 'application.declined',
      to: app.email,
      eventId: event.id,
      now: nowIso,
      template: { name: 'application.declined', locale: app.locale, params: { name: app.name, eventTitle: contentFor(event, app.locale).title } },
    });
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'application.declined', eventId: event.id, subjectId: app.id, data: { seats: app.seats, was: app.status } });
    const promoted = await promoteLocked(trx, deps, event, now);
    return { declined: true, promoted: promoted.length };
  });
  if (result.declined) deps.afterCommit?.mailEnqueued();
  return result;
}

/** The status-page link's forms. */
export async function confirmOffer(deps: Deps, token: string, input: ConfirmInput = {}): Promise<ConfirmResult> {
  const app = await findApplicationByToken(deps, token);
  return confirmApplication(deps, app.id, input);
}

export async function declineOffer(deps: Deps, token: string): Promise<{ declined: boolean; promoted: number }> {
  const app = await findApplicationByToken(deps, token);
  return declineApplication(deps, app.id);
}
