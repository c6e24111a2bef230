import type { Event } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import { formatDate, formatDateTime, formatTime, t } from '../i18n/index.ts';
import { icsCalendar } from './ics.ts';
import type { Attachment } from './outbox.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** Time and venue as shown to confirmed guests once revealed; null while they are still to be announced. */
export interface EventDetails {
  when: string;
  where: string;
  mapUrl: string | null;
}

export function formatEventDetails(event: Event, locale: Locale): EventDetails | null {
  if (!event.revealedAt || !event.startsAt) return null;
  let when = formatDateTime(event.startsAt, locale, event.timezone);
  if (event.endsAt) {
    const sameDay = formatDate(event.startsAt, locale, event.timezone) === formatDate(event.endsAt, locale, event.timezone);
    when += ` – ${sameDay ? formatTime(event.endsAt, locale, event.timezone) : formatDateTime(event.endsAt, locale, event.timezone)}`;
  }
  const where = [event.venueName, event.venueAddress].filter((s): s is string => !!s?.trim()).join(', ');
  return { when, where, mapUrl: event.venueMapUrl };
}

function detailParagraph(locale: Locale, d: EventDetails): string {
  return [
    `${t(locale, 'event.when')}: ${d.when}`,
    `${t(locale, 'event.where')}: ${d.where}`,
    ...(d.mapUrl ? [`${t(locale, 'reveal.map')}: ${d.mapUrl}`] : []),
  ].join('\n');
}

/**
 * The calendar entry of a revealed event: same UID for every guest and every update of one event, and the
 * event's calendar_sequence as SEQUENCE, so an update replaces the entry in the guest's calendar.
 */
export function eventIcs(event: Event, locale: Locale, title: string, stamp: string, publicUrl: string, sequence: number): string | null {
  if (!event.startsAt) return null;
  const host = new URL(publicUrl).hostname || 'admit.localhost';
  const d = formatEventDetails({ ...event, revealedAt: event.revealedAt ?? stamp }, locale);
  return icsCalendar({
    uid: `event-${event.id}@${host}`,
    sequence,
    stamp,
    start: event.startsAt,
    end: event.endsAt,
    summary: title,
    location: d?.where || null,
    description: d?.mapUrl ? `${t(locale, 'reveal.map')}: ${d.mapUrl}` : null,
    url: event.venueMapUrl,
  });
}

export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';

/** The calendar entry mailed with the details (see eventIcs). */
export function eventIcsAttachment(event: Event, locale: Locale, title: string, stamp: string, publicUrl: string, sequence: number): Attachment | null {
  const ics = eventIcs(event, locale, title, stamp, publicUrl, sequence);
  if (!ics) return null;
  return { filename: 'event.ics', contentType: ICS_CONTENT_TYPE, content: Buffer.from(ics, 'utf8').toString('base64') };
}

/** "Your place is confirmed": who comes, the tickets link, and the details when they are already revealed. */
export function confirmedMail(
  locale: Locale,
  p: { name: string; eventTitle: string; seats: number; holders: string[]; doorCodes?: string[]; ticketsUrl: string; details: EventDetails | null },
): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.confirmed.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [
      t(locale, 'mail.confirmed.body', { event: p.eventTitle, seats: p.seats }),
      // Door codes (optional: rows enqueued before migration 012 have none) beside each name, for typing at the door.
      `${t(locale, 'mail.confirmed.who')}\n${p.holders
        .map((h, i) => (p.doorCodes?.[i] ? `– ${h} — ${t(locale, 'doorcode.mail_code', { code: p.doorCodes[i] })}` : `– ${h}`))
        .join('\n')}`,
      p.details ? `${t(locale, 'mail.confirmed.details')}\n${detailParagraph(locale, p.details)}` : t(locale, 'mail.confirmed.tba'),
      t(locale, 'mail.confirmed.tickets'),
    ],
    action: { label: t(locale, 'mail.confirmed.action'), url: p.ticketsUrl },
    footer: t(locale, 'mail.confirmed.footer'),
  });
}

export function declinedMail(locale: Locale, p: { name: string; eventTitle: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.declined.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.declined.body', { event: p.eventTitle })],
  });
}

export function expiredMail(locale: Locale, p: { name: string; eventTitle: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.expired.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.expired.body', { event: p.eventTitle })],
  });
}

/** The staged reveal (or a later change of the details): time, venue, map link; the .ics goes along. */
export function revealMail(
  locale: Locale,
  p: { name: string; eventTitle: string; details: EventDetails; ticketsUrl: string; update: boolean },
): RenderedMail {
  const k = p.update ? 'mail.reveal_update' : 'mail.reveal';
  return renderMail(locale, {
    subject: t(locale, `${k}.subject`, { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, `${k}.body`, { event: p.eventTitle }), detailParagraph(locale, p.details), t(locale, 'mail.reveal.calendar')],
    action: { label: t(locale, 'mail.confirmed.action'), url: p.ticketsUrl },
  });
}
