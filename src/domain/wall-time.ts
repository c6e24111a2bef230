/**
 * Wall-clock time in a named time zone ↔ UTC instants, without a date library.
 *
 * Organizers type "19:00 on 12 December" meaning New York time, whatever zone their own browser is in, so an
 * <input type="datetime-local"> value is read in the EVENT's zone. Disambiguation follows Temporal's
 * "compatible" rule: a time that occurs twice (clocks go back) is the earlier instant; a time that does not
 * exist (clocks go forward) moves forward by the length of the gap (02:30 → 03:30).
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall time at `ms` in `timeZone`, as if it were UTC (milliseconds). */
function wallMs(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const y = p.year;
  const date = new Date(0);
  date.setUTCFullYear(y, p.month - 1, p.day);
  date.setUTCHours(p.hour % 24, p.minute, p.second, 0);
  return date.getTime();
}

/** Offset of the zone from UTC at the instant `ms`, in milliseconds (New York in winter: -5 h). */
const offsetAt = (ms: number, timeZone: string): number => wallMs(ms, timeZone) - Math.floor(ms / 1000) * 1000;

/** Parses 'YYYY-MM-DDTHH:mm[:ss]' into wall milliseconds, or null when it is not a real calendar time. */
function parseLocal(local: string): number | null {
  const m = LOCAL.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  // 2026-02-30 would roll over into March: reject it rather than guess.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return null;
  return date.getTime();
}

/**
 * '2026-12-12T19:00' in 'America/New_York' → '2026-12-13T00:00:00.000Z'.
 * Returns null for malformed input, impossible dates or an unknown zone.
 */
export function wallTimeToUtc(local: string, timeZone: string): string | null {
  const wall = parseLocal(local);
  if (wall === null) return null;
  try {
    // The offset a day before and after brackets any transition near this time (none are longer than a day).
    const before = offsetAt(wall - 86_400_000, timeZone);
    const after = offsetAt(wall + 86_400_000, timeZone);
    const candidates = [...new Set([before, after])]
      .map((off) => wall - off)
      .filter((ms) => wallMs(ms, timeZone) === wall)
      .sort((a, b) => a - b);
    const ms = candidates.length ? candidates[0] : wall - before;
    return new Date(ms).toISOString();
  } catch {
    return null;
  }
}

/** '2026-12-13T00:00:00.000Z' in 'America/New_York' → '2026-12-12T19:00' (the value for datetime-local). */
export function utcToWallTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  try {
    return new Date(wallMs(ms, timeZone)).toISOString().slice(0, 16);
  } catch {
    return '';
  }
}

/** IANA zones offered in pickers (Intl's canonical list, plus UTC, which it leaves out). */
export function timeZoneOptions(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? [...zones] : ['UTC', ...zones];
}
