import type { Event } from '../../domain/event.ts';
import type { Locale } from '../../domain/locales.ts';
import type { Queryable } from '../connect.ts';
import type { EventRow } from '../schema.ts';

export function eventFromRow(r: EventRow): Event {
  return {
    id: r.id,
    slug: r.slug,
    status: r.status,
    timezone: r.timezone,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    venueName: r.venue_name,
    venueAddress: r.venue_address,
    applicationsOpenAt: r.applications_open_at,
    applicationsCloseAt: r.applications_close_at,
    capacity: r.capacity,
    maxPartySize: r.max_party_size,
    preferredCountries: JSON.parse(r.preferred_countries),
    othersMayApply: r.others_may_apply === 1,
    questions: JSON.parse(r.questions),
    content: JSON.parse(r.content),
    defaultLocale: r.default_locale as Locale,
    confirmHours: r.confirm_hours,
    retentionDays: r.retention_days,
    venueMapUrl: r.venue_map_url,
    revealAt: r.reveal_at,
    revealedAt: r.revealed_at,
    confirmUntil: r.confirm_until,
    inviteConfirmHours: r.invite_confirm_hours,
    mailSenderName: r.mail_sender_name,
    mailReplyTo: r.mail_reply_to,
  };
}

export function eventToRow(e: Event): Omit<EventRow, 'created_at' | 'updated_at' | 'calendar_sequence' | 'version'> {
  return {
    id: e.id,
    slug: e.slug,
    status: e.status,
    timezone: e.timezone,
    starts_at: e.startsAt,
    ends_at: e.endsAt,
    venue_name: e.venueName,
    venue_address: e.venueAddress,
    applications_open_at: e.applicationsOpenAt,
    applications_close_at: e.applicationsCloseAt,
    capacity: e.capacity,
    max_party_size: e.maxPartySize,
    preferred_countries: JSON.stringify(e.preferredCountries),
    others_may_apply: e.othersMayApply ? 1 : 0,
    questions: JSON.stringify(e.questions),
    content: JSON.stringify(e.content),
    default_locale: e.defaultLocale,
    confirm_hours: e.confirmHours,
    retention_days: e.retentionDays,
    venue_map_url: e.venueMapUrl,
    reveal_at: e.revealAt,
    revealed_at: e.revealedAt,
    confirm_until: e.confirmUntil,
    invite_confirm_hours: e.inviteConfirmHours,
    mail_sender_name: e.mailSenderName,
    mail_reply_to: e.mailReplyTo,
  };
}

export async function findEventBySlug(db: Queryable, slug: string): Promise<Event | null> {
  const row = await db.selectFrom('events').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

export async function findEventById(db: Queryable, id: string): Promise<Event | null> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

export async function listEvents(db: Queryable): Promise<Event[]> {
  const rows = await db.selectFrom('events').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(eventFromRow);
}

export async function insertEvent(db: Queryable, e: Event, now: string): Promise<void> {
  await db.insertInto('events').values({ ...eventToRow(e), created_at: now, updated_at: now }).execute();
}

export async function updateEventRow(db: Queryable, e: Event, now: string): Promise<void> {
  const { id, ...rest } = eventToRow(e);
  await db.updateTable('events').set({ ...rest, updated_at: now }).where('id', '=', id).execute();
}
