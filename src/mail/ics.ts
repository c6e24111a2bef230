/**
 * A single-event iCalendar file (RFC 5545), pure. Lines end in CRLF (§3.1), long lines are folded at
 * 75 octets without splitting a UTF-8 sequence, TEXT values are escaped (§3.3.11), and every time is
 * UTC ("Z" form, §3.3.5), so no VTIMEZONE is needed and every calendar shows the right local time.
 */
export interface IcsEvent {
  /** Globally unique and stable for the event, so a second file updates the same calendar entry. */
  uid: string;
  /** ISO-8601 instants. */
  stamp: string;
  start: string;
  end?: string | null;
  summary: string;
  location?: string | null;
  description?: string | null;
  url?: string | null;
}

/** TEXT escaping: backslash, semicolon, comma, and line breaks as \n. */
export function escapeIcsText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** 2026-12-12T19:04:05.000Z → 20261212T190405Z */
export function icsUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid instant ${iso}`);
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Folds one content line: at most 75 octets per physical line, continuation lines start with a space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    // The first line may hold 75 octets; continuation lines 74 plus the leading space.
    if (octets + n > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n');
}

export function icsCalendar(e: IcsEvent, prodId = '-//Admit//Admit//EN'): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${prodId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `DTSTAMP:${icsUtc(e.stamp)}`,
    `DTSTART:${icsUtc(e.start)}`,
    ...(e.end ? [`DTEND:${icsUtc(e.end)}`] : []),
    `SUMMARY:${escapeIcsText(e.summary)}`,
    ...(e.location ? [`LOCATION:${escapeIcsText(e.location)}`] : []),
    ...(e.description ? [`DESCRIPTION:${escapeIcsText(e.description)}`] : []),
    // URI values are not TEXT: no escaping, but they must not contain line breaks.
    ...(e.url ? [`URL:${e.url.replace(/[\r\n]/g, '')}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
