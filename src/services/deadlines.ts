import { needsReminder, REMINDER_BEFORE_MS } from '../domain/deadlines.ts';
import { contentFor, type Event } from '../domain/event.ts';
import { AppError } from '../errors.ts';
import { findApplicationById } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById } from '../db/repositories/events.ts';
import { formatDateTime } from '../i18n/index.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { freshStatusLink } from './confirmations.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { WRITE_BATCH } from './offers.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The organizer gives a party more time to confirm: a later deadline, audited (`offer.extended`), and a mail
 * to the party with the new deadline and a fresh status link. Only a later deadline, and only while the offer
 * is still open: the UPDATE is conditional on the deadline the organizer saw, so it never revives an offer the
 * scheduler has just expired, and two organizers extending at once change it once. The 24-hour reminder is
 * due again for the new deadline.
 */
export async function extendOffer(deps: Deps, actor: string, applicationId: string, expiresAt: string): Promise<{ expiresAt: string }> {
  const app = await findApplicationById(deps.database.db, applicationId);
  if (!app) throw new AppError('application.not_found');
  if (app.status !== 'offered' || !app.offerExpiresAt) throw new AppError('offer.not_offered');
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  if (!ISO.test(expiresAt)) throw new AppError('validation.failed', { fields: [{ field: 'expiresAt', code: 'invalid_datetime' }] });
  if (expiresAt <= app.offerExpiresAt || expiresAt <= nowIso) throw new AppError('validation.failed', { fields: [{ field: 'expiresAt', code: 'not_later' }] });
  const event = await findEventById(deps.database.db, app.eventId);
  if (!event) throw new AppError('event.not_found');

  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('applications')
      .set({ offer_expires_at: expiresAt, offer_reminded_at: needsReminder(expiresAt, now) ? null : nowIso, updated_at: nowIso })
      .where('id', '=', app.id)
      .where('status', '=', 'offered')
      .where('offer_expires_at', '=', app.offerExpiresAt)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('offer.not_offered');
    const url = await freshStatusLink(trx, deps, app.id, nowIso);
    await enqueueMail(trx, {
      id: nextId(deps),
      kind: 'offer.extended',
      to: app.email,
      eventId: event.id,
      now: nowIso,
      template: {
        name: 'offer.extended',
        locale: app.locale,
        params: { name: app.name, eventTitle: contentFor(event, app.locale).title, url, deadline: formatDateTime(expiresAt, app.locale, event.timezone) },
      },
    });
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'offer.extended', eventId: event.id, subjectId: app.id, data: { from: app.offerExpiresAt, to: expiresAt } });
  });
  deps.afterCommit?.mailEnqueued();
  return { expiresAt };
}

/**
 * The scheduler's job: a reminder to every open offer that expires within the next 24 hours and has not
 * been reminded. Exactly once per offer, with any number of instances: each batch first claims its rows with
 * a conditional UPDATE (… AND offer_reminded_at IS NULL) and mails only the rows that UPDATE changed, in the
 * same transaction — a second instance (or a second run) finds them claimed. Returns the number reminded.
 */
export async function remindExpiringOffers(deps: Deps): Promise<number> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const horizon = new Date(now.getTime() + REMINDER_BEFORE_MS).toISOString();
  const events = new Map<string, Event | null>();
  let reminded = 0;
  for (;;) {
    const due = await db
      .selectFrom('applications')
      .select('id')
      .where('status', '=', 'offered')
      .where('offer_expires_at', '>', nowIso)
      .where('offer_expires_at', '<=', horizon)
      .where('offer_reminded_at', 'is', null)
      .limit(WRITE_BATCH)
      .execute();
    if (!due.length) break;
    const n = await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('applications')
        .set({ offer_reminded_at: nowIso })
        .where('id', 'in', due.map((r) => r.id))
        .where('status', '=', 'offered')
        .where('offer_reminded_at', 'is', null)
        .returning(['id', 'event_id', 'name', 'email', 'locale', 'offer_expires_at'])
        .execute();
      for (const a of claimed) {
        if (!events.has(a.event_id)) events.set(a.event_id, await findEventById(trx, a.event_id));
        const event = events.get(a.event_id);
        if (!event || !a.offer_expires_at) continue;
        const locale = a.locale as Event['defaultLocale'];
        const url = await freshStatusLink(trx, deps, a.id, nowIso);
        await enqueueMail(trx, {
          id: nextId(deps),
          kind: 'offer.reminder',
          to: a.email,
          eventId: event.id,
          now: nowIso,
          template: {
            name: 'offer.reminder',
            locale,
            params: { name: a.name, eventTitle: contentFor(event, locale).title, url, deadline: formatDateTime(a.offer_expires_at, locale, event.timezone) },
          },
        });
      }
      return claimed.length;
    });
    reminded += n;
    // Rows another instance claimed between our SELECT and UPDATE are simply skipped; nothing new: done.
    if (n === 0 && due.length < WRITE_BATCH) break;
  }
  if (reminded) deps.afterCommit?.mailEnqueued();
  return reminded;
}
