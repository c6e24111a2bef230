import { AppError, type FieldError } from '../errors.ts';
import { contentFor, type Event } from '../domain/event.ts';
import type { Queryable } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { eventIcsAttachment, formatEventDetails } from '../mail/after-draw-mails.ts';
import { outboxRow } from '../mail/outbox.ts';
import type { Locale } from '../domain/locales.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { calendarSequence } from './calendar.ts';
import { nextId } from './ids.ts';
import { insertBatched } from './offers.ts';
import { lockEvent } from './waitlist.ts';
import { guestRevealMails } from './guest-tickets.ts';
import { ticketPdfAttachment } from './ticket-pdf.ts';

/**
 * Staged reveal: the public page keeps time and venue "to be announced"; confirmed guests learn them by
 * mail (with an .ics) and on their status page when the organizer reveals, now or at reveal_at (the
 * scheduler fires it). The reveal takes the event lock that confirmations take too, so every guest is
 * told exactly once: either the reveal's mail run sees the confirmation, or the confirmation sees the
 * reveal and mails the details itself.
 */
export interface RevealDetailsInput {
  startsAt: string | null;
  endsAt: string | null;
  venueName: string | null;
  venueAddress: string | null;
  venueMapUrl: string | null;
  /** When to reveal automatically; null = only by hand. */
  revealAt: string | null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function validateRevealDetails(input: RevealDetailsInput): FieldError[] {
  const errors: FieldError[] = [];
  for (const [field, v] of [
    ['startsAt', input.startsAt],
    ['endsAt', input.endsAt],
    ['revealAt', input.revealAt],
  ] as const) {
    if (v !== null && !ISO.test(v)) errors.push({ field, code: 'invalid_datetime' });
  }
  if (input.startsAt && input.endsAt && input.endsAt < input.startsAt) errors.push({ field: 'endsAt', code: 'before_start' });
  if (input.venueName && input.venueName.length > 200) errors.push({ field: 'venueName', code: 'too_long', params: { max: 200 } });
  if (input.venueAddress && input.venueAddress.length > 500) errors.push({ field: 'venueAddress', code: 'too_long', params: { max: 500 } });
  if (input.venueMapUrl) {
    let ok = false;
    try {
      const u = new URL(input.venueMapUrl);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && input.venueMapUrl.length <= 2000;
    } catch {
      ok = false;
    }
    if (!ok) errors.push({ field: 'venueMapUrl', code: 'invalid_url' });
  }
  return errors;
}

/** What a reveal needs: a start time and a venue. */
export function missingForReveal(e: Pick<Event, 'startsAt' | 'venueName'>): FieldError[] {
  const errors: FieldError[] = [];
  if (!e.startsAt) errors.push({ field: 'startsAt', code: 'required' });
  if (!e.venueName?.trim()) errors.push({ field: 'venueName', code: 'required' });
  return errors;
}

/**
 * Saves time, venue, map link and the scheduled reveal. When the details were already revealed and
 * they change, confirmed guests get the update (and a new .ics with the same UID).
 */
export async function saveRevealDetails(deps: Deps, actor: string, eventId: string, input: RevealDetailsInput): Promise<{ event: Event; notified: number }> {
  const errors = validateRevealDetails(input);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const nowIso = deps.clock.now().toISOString();
  const out = await deps.database.db.transaction().execute(async (trx) => {
    const before = await lockEvent(trx, eventId);
    if (!before) throw new AppError('event.not_found');
    if (before.revealedAt) {
      const missing = missingForReveal(input);
      if (missing.length) throw new AppError('reveal.incomplete', { fields: missing });
    }
    const event: Event = { ...before, ...input, revealAt: before.revealedAt ? before.revealAt : input.revealAt };
    await trx
      .updateTable('events')
      .set({
        starts_at: event.startsAt,
        ends_at: event.endsAt,
        venue_name: event.venueName,
        venue_address: event.venueAddress,
        venue_map_url: event.venueMapUrl,
        reveal_at: event.revealAt,
        updated_at: nowIso,
      })
      .where('id', '=', eventId)
      .execute();
    const changed =
      before.startsAt !== event.startsAt ||
      before.endsAt !== event.endsAt ||
      before.venueName !== event.venueName ||
      before.venueAddress !== event.venueAddress ||
      before.venueMapUrl !== event.venueMapUrl;
    // A new revision of the calendar entry (SEQUENCE), so calendars replace the old time and place.
    if (changed) await trx.updateTable('events').set((eb) => ({ calendar_sequence: eb('calendar_sequence', '+', 1) })).where('id', '=', eventId).execute();
    const notified = before.revealedAt && changed ? await mailDetails(trx, deps, event, nowIso, true) : 0;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.details_saved', eventId, subjectId: eventId, data: { revealAt: event.revealAt, notified } });
    return { event, notified };
  });
  if (out.notified) deps.afterCommit?.mailEnqueued();
  return out;
}

/** Reveals now. Idempotent: a second reveal (or the scheduler after a manual reveal) does nothing. */
export async function revealEvent(deps: Deps, actor: string, eventId: string): Promise<{ revealed: boolean; notified: number }> {
  const nowIso = deps.clock.now().toISOString();
  const out = await deps.database.db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, eventId);
    if (!event) throw new AppError('event.not_found');
    if (event.revealedAt) return { revealed: false, notified: 0 };
    const missing = missingForReveal(event);
    if (missing.length) throw new AppError('reveal.incomplete', { fields: missing });
    const res = await trx.updateTable('events').set({ revealed_at: nowIso, updated_at: nowIso }).where('id', '=', eventId).where('revealed_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return { revealed: false, notified: 0 };
    const notified = await mailDetails(trx, deps, { ...event, revealedAt: nowIso }, nowIso, false);
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.revealed', eventId, subjectId: eventId, data: { notified } });
    return { revealed: true, notified };
  });
  if (out.notified) deps.afterCommit?.mailEnqueued();
  return out;
}

/** Scheduled reveals whose time has come. An event missing its details is skipped (and stays due). */
export async function revealDueEvents(deps: Deps): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  const due = await deps.database.db.selectFrom('events').select('id').where('revealed_at', 'is', null).where('reveal_at', 'is not', null).where('reveal_at', '<=', nowIso).execute();
  let n = 0;
  for (const { id } of due) {
    try {
      if ((await revealEvent(deps, 'system', id)).revealed) n++;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'reveal.incomplete')) throw err;
    }
  }
  return n;
}

/** One mail per confirmed party, each with a fresh status link and the calendar entry in its language. */
async function mailDetails(trx: Queryable, deps: Deps, event: Event, nowIso: string, update: boolean): Promise<number> {
  const guests = await trx
    .selectFrom('applications')
    .select(['id', 'name', 'email', 'locale'])
    .where('event_id', '=', event.id)
    .where('status', '=', 'confirmed')
    .where('erased_at', 'is', null)
    .orderBy('id')
    .execute();
  const links: { token_hash: string; application_id: string; created_at: string }[] = [];
  const sequence = await calendarSequence(trx, event.id);
  const mails: ReturnType<typeof outboxRow>[] = [];
  for (const g of guests) {
    const locale = g.locale as Locale;
    const details = formatEventDetails({ ...event, revealedAt: event.revealedAt ?? nowIso }, locale);
    if (!details) continue;
    const title = contentFor(event, locale).title;
    const token = newToken(deps.random);
    links.push({ token_hash: hashToken(token), application_id: g.id, created_at: nowIso });
    const ics = eventIcsAttachment(event, locale, title, nowIso, deps.config.publicUrl, sequence);
    mails.push(
      outboxRow({
        id: nextId(deps),
        kind: update ? 'event.details_updated' : 'event.revealed',
        to: g.email,
        eventId: event.id,
        now: nowIso,
        template: { name: 'event.reveal', locale, params: { name: g.name, eventTitle: title, details, ticketsUrl: `${deps.config.publicUrl}/a/${token}/tickets`, update } },
        attachments: [...(ics ? [ics] : []), ticketPdfAttachment({ applicationId: g.id, locale })],
      }),
    );
  }
  // Guests who gave their own address get the news (and their own ticket) too.
  const ownAddress = await guestRevealMails(trx, deps, event, nowIso, update, sequence);
  await insertBatched(trx, 'application_links', links);
  await insertBatched(trx, 'ticket_links', ownAddress.links);
  await insertBatched(trx, 'outbox', [...mails, ...ownAddress.mails]);
  return mails.length + ownAddress.mails.length;
}
