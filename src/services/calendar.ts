import type { Queryable } from '../db/connect.ts';

/** The current RFC 5545 SEQUENCE of an event's calendar entry (raised by every change of time or venue). */
export async function calendarSequence(db: Queryable, eventId: string): Promise<number> {
  const row = await db.selectFrom('events').select('calendar_sequence').where('id', '=', eventId).executeTakeFirst();
  return Number(row?.calendar_sequence ?? 0);
}
