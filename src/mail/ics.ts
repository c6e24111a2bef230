import ical, { ICalCalendarMethod } from 'ical-generator';

/**
 * A single-event iCalendar file (RFC 5545), built with ical-generator (line folding, CRLF, TEXT escaping).
 * Every time is UTC, so no VTIMEZONE is needed and every calendar shows the right local time. A calendar
 * replaces the entry of the same UID only when the new file carries a higher SEQUENCE (§3.8.7.4), so
 * `sequence` must rise with every change of time or venue.
 */
export interface IcsEvent {
  /** Globally unique and stable for the event, so a second file updates the same calendar entry. */
  uid: string;
  /** The revision of the entry: 0 first, then one more per change (events.calendar_sequence). */
  sequence: number;
  /** ISO-8601 instants. */
  stamp: string;
  start: string;
  end?: string | null;
  summary: string;
  location?: string | null;
  description?: string | null;
  url?: string | null;
}

export function icsCalendar(e: IcsEvent, prodId = { company: 'Admit', product: 'Admit', language: 'EN' }): string {
  const cal = ical({ prodId, method: ICalCalendarMethod.PUBLISH });
  cal.createEvent({
    id: e.uid,
    sequence: e.sequence,
    stamp: new Date(e.stamp),
    start: new Date(e.start),
    end: e.end ? new Date(e.end) : null,
    summary: e.summary,
    location: e.location || null,
    description: e.description || null,
    url: e.url || null,
  });
  // Every content line ends in CRLF (§3.1), the last one too.
  const text = cal.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
