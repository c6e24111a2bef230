import { AppError } from '../errors.ts';
import type { Queryable } from '../db/connect.ts';
import { contentFor, type Event } from '../domain/event.ts';
import { isLocale, type Locale } from '../domain/locales.ts';
import { findEventById } from '../db/repositories/events.ts';
import { eventIcsAttachment, formatEventDetails } from '../mail/after-draw-mails.ts';
import { enqueueMail, outboxRow } from '../mail/outbox.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { calendarSequence } from './calendar.ts';
import { nextId } from './ids.ts';
import { ticketPdfAttachment } from './ticket-pdf.ts';

/**
 * A guest who gave their own address (ADR 0014) holds a capability link of their own, /t/<token>: it shows only
 * their ticket (never the party's application), stored as SHA-256 like status links, one fresh link per mail.
 */
export async function freshTicketLink(trx: Queryable, deps: Pick<Deps, 'random' | 'config'>, ticketId: string, nowIso: string): Promise<string> {
  const token = newToken(deps.random);
  await trx.insertInto('ticket_links').values({ token_hash: hashToken(token), ticket_id: ticketId, created_at: nowIso }).execute();
  return `${deps.config.publicUrl}/t/${token}`;
}

/**
 * Stores the guest's address and language on their ticket and mails them their own ticket, in the confirmation's
 * transaction. The language is the one the applicant chose for this guest (by default the applicant's own).
 */
export async function giveGuestTicket(
  trx: Queryable,
  deps: Deps,
  event: Event,
  app: { id: string; name: string; locale: Locale },
  g: { ticketId: string; name: string; email: string; locale?: Locale; doorCode: string; nowIso: string },
): Promise<void> {
  const locale = g.locale ?? app.locale;
  await trx.updateTable('tickets').set({ holder_email: g.email, holder_locale: locale }).where('id', '=', g.ticketId).execute();
  const url = await freshTicketLink(trx, deps, g.ticketId, g.nowIso);
  const title = contentFor(event, locale).title;
  const details = formatEventDetails(event, locale);
  const ics = details ? eventIcsAttachment(event, locale, title, g.nowIso, deps.config.publicUrl, await calendarSequence(trx, event.id)) : null;
  await enqueueMail(trx, {
    id: nextId(deps),
    kind: 'ticket.guest',
    to: g.email,
    eventId: event.id,
    now: g.nowIso,
    template: { name: 'ticket.guest', locale, params: { name: g.name, applicantName: app.name, eventTitle: title, doorCode: g.doorCode, ticketUrl: url, details } },
    attachments: [...(ics ? [ics] : []), ticketPdfAttachment({ applicationId: app.id, ticketId: g.ticketId, locale })],
  });
}

/** Guests with their own address among the confirmed parties of an event (valid tickets only). */
export async function guestsWithAddress(db: Queryable, eventId: string) {
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.application_id', 'tickets.holder_name', 'tickets.holder_email', 'tickets.holder_locale', 'applications.locale'])
    .where('tickets.event_id', '=', eventId)
    .where('tickets.voided_at', 'is', null)
    .where('tickets.holder_email', 'is not', null)
    .where('applications.status', '=', 'confirmed')
    .where('applications.erased_at', 'is', null)
    .orderBy('tickets.id')
    .execute();
  return rows.map((r) => ({
    ticketId: r.id,
    applicationId: r.application_id,
    name: r.holder_name,
    email: r.holder_email!,
    locale: (isLocale(r.holder_locale) ? r.holder_locale : isLocale(r.locale) ? r.locale : 'en') as Locale,
  }));
}

/**
 * The reveal (or a change of the details) for guests with their own address: the same mail as the party gets,
 * with the guest's own link and ticket. Rows for the caller's batched INSERTs.
 */
export async function guestRevealMails(trx: Queryable, deps: Deps, event: Event, nowIso: string, update: boolean, sequence: number) {
  const links: { token_hash: string; ticket_id: string; created_at: string }[] = [];
  const mails: ReturnType<typeof outboxRow>[] = [];
  for (const g of await guestsWithAddress(trx, event.id)) {
    const details = formatEventDetails({ ...event, revealedAt: event.revealedAt ?? nowIso }, g.locale);
    if (!details) continue;
    const title = contentFor(event, g.locale).title;
    const token = newToken(deps.random);
    links.push({ token_hash: hashToken(token), ticket_id: g.ticketId, created_at: nowIso });
    const ics = eventIcsAttachment(event, g.locale, title, nowIso, deps.config.publicUrl, sequence);
    mails.push(
      outboxRow({
        id: nextId(deps),
        kind: update ? 'event.details_updated' : 'event.revealed',
        to: g.email,
        eventId: event.id,
        now: nowIso,
        template: { name: 'event.reveal', locale: g.locale, params: { name: g.name, eventTitle: title, details, ticketsUrl: `${deps.config.publicUrl}/t/${token}`, update } },
        attachments: [...(ics ? [ics] : []), ticketPdfAttachment({ applicationId: g.applicationId, ticketId: g.ticketId, locale: g.locale })],
      }),
    );
  }
  return { links, mails };
}

export interface GuestTicket {
  ticketId: string;
  applicationId: string;
  holderName: string;
  locale: Locale;
  event: Event;
}

/** The ticket behind a guest's link; refused like an unknown status link once the place is given back. */
export async function findGuestTicket(deps: Deps, token: string): Promise<GuestTicket> {
  const row =
    token.length >= 20
      ? await deps.database.db
          .selectFrom('ticket_links')
          .innerJoin('tickets', 'tickets.id', 'ticket_links.ticket_id')
          .innerJoin('applications', 'applications.id', 'tickets.application_id')
          .select(['tickets.id', 'tickets.application_id', 'tickets.holder_name', 'tickets.holder_locale', 'tickets.voided_at', 'tickets.event_id', 'applications.status'])
          .where('ticket_links.token_hash', '=', hashToken(token))
          .executeTakeFirst()
      : undefined;
  if (!row || row.voided_at || row.status !== 'confirmed') throw new AppError('application.not_found');
  const event = await findEventById(deps.database.db, row.event_id);
  if (!event) throw new AppError('event.not_found');
  return { ticketId: row.id, applicationId: row.application_id, holderName: row.holder_name, locale: (isLocale(row.holder_locale) ? row.holder_locale : 'en') as Locale, event };
}
