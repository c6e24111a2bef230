import type { Queryable } from '../db/connect.ts';
import type { Application } from '../db/repositories/applications.ts';
import { findDrawByEventId } from '../db/repositories/draws.ts';

/**
 * The 1-based place of a waitlisted party among the parties still waiting, in draw order (the order in which
 * the waitlist moves up); null when it is not on the waitlist or has no draw position.
 */
export async function waitlistPosition(db: Queryable, app: Application): Promise<number | null> {
  if (app.status !== 'waitlisted' || app.drawPosition === null) return null;
  const pos = app.drawPosition;
  const row = await db
    .selectFrom('applications')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('event_id', '=', app.eventId)
    .where('status', '=', 'waitlisted')
    .where((eb) => eb.or([eb('draw_position', '<', pos), eb.and([eb('draw_position', '=', pos), eb('id', '<', app.id)])]))
    .executeTakeFirst();
  return Number(row?.n ?? 0) + 1;
}

/**
 * A still-submitted application that is not an entry of an already fixed (frozen or drawn) draw: its address
 * was confirmed too late, say. It does not take part, and its status page must not promise a result.
 */
export async function missedTheDraw(db: Queryable, app: Application): Promise<boolean> {
  if (app.status !== 'submitted' || !app.verified || app.entryId) return false;
  const draw = await findDrawByEventId(db, app.eventId);
  return !!draw && draw.status !== 'committed';
}
