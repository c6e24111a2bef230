import type { Queryable } from '../db/connect.ts';
import type { Application } from '../db/repositories/applications.ts';

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
