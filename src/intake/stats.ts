import type { Db } from '../db/connect.ts';

const dayFormats = new Map<string, { format: Intl.DateTimeFormat; minute: number; day: string }>();

/** YYYY-MM-DD of an instant in a time zone (en-CA formats dates that way); memoised per minute. */
export function dayInZone(at: Date, timeZone: string): string {
  const minute = Math.floor(at.getTime() / 60_000);
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), minute: NaN, day: '' };
    dayFormats.set(timeZone, f);
  }
  // Every zone offset is a whole number of minutes, so one minute never spans two days.
  if (f.minute !== minute) {
    f.minute = minute;
    f.day = f.format.format(at);
  }
  return f.day;
}

export interface IntakeCount {
  day: string;
  country: string;
  received: number;
  people: number;
}

/**
 * Applications received per day (event time zone) and country, from the counters the intake keeps in
 * the same transactions as the rows: a few hundred rows to read, however many applications there are.
 * "Received" counts every new application at intake; later withdrawals and erasures do not lower it.
 */
export async function intakeCounts(db: Db, eventId: string): Promise<IntakeCount[]> {
  const rows = await db
    .selectFrom('intake_counts')
    .select(['day', 'country', (eb) => eb.fn.sum<number>('received').as('received'), (eb) => eb.fn.sum<number>('people').as('people')])
    .where('event_id', '=', eventId)
    .groupBy(['day', 'country'])
    .orderBy('day')
    .orderBy('country')
    .execute();
  return rows.map((r) => ({ day: r.day, country: r.country, received: Number(r.received), people: Number(r.people) }));
}

/** Applications received per day (event time zone), all countries together, oldest first: the page's "by day". */
export async function receivedByDay(db: Db, eventId: string): Promise<{ day: string; received: number; people: number }[]> {
  const rows = await db
    .selectFrom('intake_counts')
    .select(['day', (eb) => eb.fn.sum<number>('received').as('received'), (eb) => eb.fn.sum<number>('people').as('people')])
    .where('event_id', '=', eventId)
    .groupBy('day')
    .orderBy('day')
    .execute();
  return rows.map((r) => ({ day: r.day, received: Number(r.received), people: Number(r.people) }));
}

/**
 * Flags of the applications of an event whose ids lie in [firstId, lastId] — for pages read in id order (the
 * CSV export). A range on the leading primary-key column is an index range scan on both databases whatever
 * the statistics say; a 2,000-element IN list is not (PostgreSQL planned a scan of every flag per page).
 */
export async function flagsInRange(db: Db, eventId: string, firstId: string, lastId: string): Promise<Map<string, { kind: string; relatedId: string | null; reason: string }[]>> {
  const out = new Map<string, { kind: string; relatedId: string | null; reason: string }[]>();
  const rows = await db
    .selectFrom('application_flags')
    .select(['application_id', 'kind', 'related_id', 'reason'])
    .where('application_id', '>=', firstId)
    .where('application_id', '<=', lastId)
    .where('event_id', '=', eventId)
    .execute();
  for (const r of rows) {
    const list = out.get(r.application_id);
    const flag = { kind: r.kind, relatedId: r.related_id, reason: r.reason };
    if (list) list.push(flag);
    else out.set(r.application_id, [flag]);
  }
  return out;
}
