import { unsubscribeToken } from '../mail/messages.ts';
import { AppError, type FieldError } from '../errors.ts';
import type { Queryable } from '../db/connect.ts';
import { contentFor, type Event } from '../domain/event.ts';
import { isLocale, type Locale } from '../domain/locales.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { eventFromRow } from '../db/repositories/events.ts';
import { formatEventDetails } from '../mail/after-draw-mails.ts';
import { outboxRow } from '../mail/outbox.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { insertBatched } from './offers.ts';

/**
 * Automatic mails an organizer switches on per event (issue 13 part 2, ADR 0014): a reminder some hours before the
 * start, and a thank-you some hours after the end. Each goes once per person — the applicant for themselves and
 * the guests without an address of their own, and each guest who gave one — in that person's language, through the
 * outbox. "Once" is the conditional UPDATE of tickets.reminded_at / thanked_at (… WHERE it IS NULL): two scheduler
 * runs at once, or two instances, mail each person once.
 */
export const AUTO_MAIL_KINDS = ['reminder', 'thanks'] as const;
export type AutoMailKind = (typeof AUTO_MAIL_KINDS)[number];
export interface AutoMailSetting {
  enabled: boolean;
  offsetHours: number;
}
export const AUTO_MAIL_DEFAULTS: Record<AutoMailKind, AutoMailSetting> = { reminder: { enabled: false, offsetHours: 24 }, thanks: { enabled: false, offsetHours: 12 } };
export const MAX_OFFSET_HOURS = 720;

export async function autoMailSettings(db: Queryable, eventId: string): Promise<Record<AutoMailKind, AutoMailSetting>> {
  const rows = await db.selectFrom('event_auto_mails').select(['kind', 'enabled', 'offset_hours']).where('event_id', '=', eventId).execute();
  const out = { ...AUTO_MAIL_DEFAULTS };
  for (const r of rows) if ((AUTO_MAIL_KINDS as readonly string[]).includes(r.kind)) out[r.kind as AutoMailKind] = { enabled: Number(r.enabled) === 1, offsetHours: Number(r.offset_hours) };
  return out;
}

export async function saveAutoMailSettings(deps: Deps, actor: string, eventId: string, input: Record<AutoMailKind, { enabled: boolean; offsetHours: string }>): Promise<void> {
  const errors: FieldError[] = [];
  const parsed = {} as Record<AutoMailKind, AutoMailSetting>;
  for (const k of AUTO_MAIL_KINDS) {
    const raw = input[k].offsetHours.trim();
    const n = Number(raw);
    if (!/^\d{1,4}$/.test(raw) || n < 1 || n > MAX_OFFSET_HOURS) errors.push({ field: `${k}_hours`, code: 'hours_range', params: { min: 1, max: MAX_OFFSET_HOURS } });
    parsed[k] = { enabled: input[k].enabled, offsetHours: n };
  }
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    for (const k of AUTO_MAIL_KINDS) {
      const row = { enabled: parsed[k].enabled ? 1 : 0, offset_hours: parsed[k].offsetHours, updated_at: nowIso };
      const res = await trx.updateTable('event_auto_mails').set(row).where('event_id', '=', eventId).where('kind', '=', k).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) await trx.insertInto('event_auto_mails').values({ event_id: eventId, kind: k, ...row }).execute();
    }
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.auto_mails_saved', eventId, subjectId: eventId, data: parsed });
  });
}

const HOUR = 3_600_000;

/** Is the mail of this kind due for the event now? The reminder only before the start; the thank-you after the end. */
export function autoMailDue(kind: AutoMailKind, e: Pick<Event, 'startsAt' | 'endsAt'>, offsetHours: number, now: Date): boolean {
  if (!e.startsAt) return false;
  const start = Date.parse(e.startsAt);
  if (kind === 'reminder') return now.getTime() >= start - offsetHours * HOUR && now.getTime() < start;
  return now.getTime() >= Date.parse(e.endsAt ?? e.startsAt) + offsetHours * HOUR;
}

/** The scheduler's job: every enabled, due automatic mail of every event. Returns the number of mails enqueued. */
export async function sendAutoMails(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const rows = await deps.database.db
    .selectFrom('event_auto_mails')
    .innerJoin('events', 'events.id', 'event_auto_mails.event_id')
    .selectAll('events')
    .select(['event_auto_mails.kind', 'event_auto_mails.offset_hours'])
    .where('event_auto_mails.enabled', '=', 1)
    .where('events.starts_at', 'is not', null)
    .execute();
  let n = 0;
  for (const r of rows) {
    const { kind, offset_hours, ...eventRow } = r;
    const event = eventFromRow(eventRow as never);
    if (!(AUTO_MAIL_KINDS as readonly string[]).includes(kind) || !autoMailDue(kind as AutoMailKind, event, Number(offset_hours), now)) continue;
    n += await deps.database.db.transaction().execute((trx) => mailEvent(trx, deps, event, kind as AutoMailKind, now.toISOString()));
  }
  if (n) deps.afterCommit?.mailEnqueued();
  return n;
}

interface Pending {
  id: string;
  applicationId: string;
  holderName: string;
  holderEmail: string | null;
  holderLocale: string | null;
  checkedIn: boolean;
  appName: string;
  appEmail: string;
  appLocale: string;
}

async function mailEvent(trx: Queryable, deps: Deps, event: Event, kind: AutoMailKind, nowIso: string): Promise<number> {
  const column = kind === 'reminder' ? 'reminded_at' : 'thanked_at';
  const rows = await trx
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select([
      'tickets.id',
      'tickets.application_id',
      'tickets.holder_name',
      'tickets.holder_email',
      'tickets.holder_locale',
      'tickets.checked_in_at',
      'applications.name',
      'applications.email',
      'applications.locale',
    ])
    .where('tickets.event_id', '=', event.id)
    .where('tickets.voided_at', 'is', null)
    .where(`tickets.${column}`, 'is', null)
    .where('applications.status', '=', 'confirmed')
    .where('applications.erased_at', 'is', null)
    .orderBy('tickets.id')
    .execute();
  let pending: Pending[] = rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id,
    holderName: r.holder_name,
    holderEmail: r.holder_email,
    holderLocale: r.holder_locale,
    checkedIn: !!r.checked_in_at,
    appName: r.name,
    appEmail: r.email,
    appLocale: r.locale,
  }));
  if (kind === 'thanks') {
    // Thank those who came when the door checked people in; if nobody was checked in, check-in was not used.
    const anyIn = await trx.selectFrom('tickets').select('id').where('event_id', '=', event.id).where('checked_in_at', 'is not', null).limit(1).executeTakeFirst();
    if (anyIn) pending = pending.filter((p) => p.checkedIn);
  }
  // One mail per recipient: each guest with an address; each applicant for the rest of their party.
  const groups = new Map<string, { to: string; name: string; locale: Locale; ticketIds: string[]; guestTicket: string | null; applicationId: string }>();
  for (const p of pending) {
    const key = p.holderEmail ? `t:${p.id}` : `a:${p.applicationId}`;
    const g = groups.get(key);
    if (g) g.ticketIds.push(p.id);
    else {
      const locale = (isLocale(p.holderEmail ? p.holderLocale : p.appLocale) ? (p.holderEmail ? p.holderLocale : p.appLocale) : event.defaultLocale) as Locale;
      groups.set(key, { to: p.holderEmail ?? p.appEmail, name: p.holderEmail ? p.holderName : p.appName, locale, ticketIds: [p.id], guestTicket: p.holderEmail ? p.id : null, applicationId: p.applicationId });
    }
  }
  const appLinks: { token_hash: string; application_id: string; created_at: string }[] = [];
  const ticketLinks: { token_hash: string; ticket_id: string; created_at: string }[] = [];
  const mails: ReturnType<typeof outboxRow>[] = [];
  for (const g of groups.values()) {
    const res = await trx.updateTable('tickets').set({ [column]: nowIso }).where('id', 'in', g.ticketIds).where(column, 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) continue;
    const title = contentFor(event, g.locale).title;
    const base = { id: nextId(deps), kind: `event.${kind}`, to: g.to, eventId: event.id, now: nowIso };
    // One-click unsubscribe (RFC 8058) for the applicant's own address; the token names the application, so a
    // guest's own address gets none rather than one that would unsubscribe someone else.
    const unsubscribeUrl = g.guestTicket ? null : `${deps.config.publicUrl}/u/${unsubscribeToken(deps.config.secret, g.applicationId)}`;
    if (kind === 'thanks') {
      mails.push(outboxRow({ ...base, template: { name: 'event.thanks', locale: g.locale, params: { name: g.name, eventTitle: title, unsubscribeUrl } } }));
      continue;
    }
    const token = newToken(deps.random);
    let ticketsUrl: string;
    let calendarUrl: string | null;
    if (g.guestTicket) {
      ticketLinks.push({ token_hash: hashToken(token), ticket_id: g.guestTicket, created_at: nowIso });
      ticketsUrl = `${deps.config.publicUrl}/t/${token}`;
      calendarUrl = event.revealedAt ? `${ticketsUrl}/event.ics` : null;
    } else {
      appLinks.push({ token_hash: hashToken(token), application_id: g.applicationId, created_at: nowIso });
      ticketsUrl = `${deps.config.publicUrl}/a/${token}/tickets`;
      calendarUrl = event.revealedAt ? `${deps.config.publicUrl}/a/${token}/event.ics` : null;
    }
    const details = formatEventDetails(event, g.locale);
    mails.push(outboxRow({ ...base, template: { name: 'event.reminder', locale: g.locale, params: { name: g.name, eventTitle: title, details, ticketsUrl, calendarUrl, unsubscribeUrl } } }));
  }
  await insertBatched(trx, 'application_links', appLinks);
  await insertBatched(trx, 'ticket_links', ticketLinks);
  await insertBatched(trx, 'outbox', mails);
  if (mails.length) await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: 'system', action: `event.${kind}_sent`, eventId: event.id, subjectId: event.id, data: { mails: mails.length } });
  return mails.length;
}
