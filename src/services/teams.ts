import { AppError } from '../errors.ts';
import type { Event } from '../domain/event.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { eventFromRow, findEventById, listEvents } from '../db/repositories/events.ts';
import type { Queryable } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import type { Role } from './users.ts';

/**
 * Per-event teams (issue 10, least privilege). Owners and admins act on every event; reviewers and door staff
 * only on the events whose team they are in — a reviewer of one event no longer reads (and exports) the
 * applicants of every other. Routes ask through requireEventPermission (src/http/plugins/auth.ts); lists of
 * events go through listEventsFor. Those two are the only readers of event_staff for access decisions.
 */
export const EVERY_EVENT_ROLES: readonly Role[] = ['owner', 'admin'];
/** Roles whose access is limited to their teams. */
export const TEAM_ROLES: readonly Role[] = ['reviewer', 'door'];

export type Actor = Pick<UserRow, 'id' | 'role'>;

export const actsOnEveryEvent = (role: string): boolean => (EVERY_EVENT_ROLES as readonly string[]).includes(role);

export async function isOnTeam(db: Queryable, userId: string, eventId: string): Promise<boolean> {
  const row = await db.selectFrom('event_staff').select('user_id').where('event_id', '=', eventId).where('user_id', '=', userId).executeTakeFirst();
  return !!row;
}

/** Whether this staff member may act on this event at all (the role's permission is checked separately). */
export async function mayActOnEvent(deps: Deps, actor: Actor, eventId: string): Promise<boolean> {
  return actsOnEveryEvent(actor.role) || isOnTeam(deps.database.db, actor.id, eventId);
}

/** The events this staff member may see, newest first (every event for owners and admins). */
export async function listEventsFor(deps: Deps, actor: Actor): Promise<Event[]> {
  const { db } = deps.database;
  if (actsOnEveryEvent(actor.role)) return listEvents(db);
  const rows = await db
    .selectFrom('events')
    .innerJoin('event_staff', 'event_staff.event_id', 'events.id')
    .selectAll('events')
    .where('event_staff.user_id', '=', actor.id)
    .orderBy('events.created_at', 'desc')
    .execute();
  return rows.map(eventFromRow);
}

/** user id → the ids of the events whose team they are in. */
export async function listTeamMemberships(deps: Deps): Promise<Map<string, Set<string>>> {
  const rows = await deps.database.db.selectFrom('event_staff').select(['user_id', 'event_id']).execute();
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = out.get(r.user_id);
    if (!set) out.set(r.user_id, (set = new Set()));
    set.add(r.event_id);
  }
  return out;
}

/**
 * Sets the events a reviewer or door staff member works on (the full set: events not listed are left).
 * One audit entry per change with what was added and removed.
 */
export async function setUserEvents(deps: Deps, actor: string, userId: string, eventIds: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
  const { db } = deps.database;
  const user = await db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('not_found');
  if (!(TEAM_ROLES as readonly string[]).includes(user.role)) throw new AppError('validation.failed', { fields: [{ field: 'events', code: 'invalid_choice' }] });
  const wanted = [...new Set(eventIds)];
  for (const id of wanted) if (!(await findEventById(db, id))) throw new AppError('validation.failed', { fields: [{ field: 'events', code: 'invalid_choice' }] });
  const nowIso = deps.clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const current = new Set((await trx.selectFrom('event_staff').select('event_id').where('user_id', '=', userId).execute()).map((r) => r.event_id));
    const added = wanted.filter((id) => !current.has(id));
    const removed = [...current].filter((id) => !wanted.includes(id));
    if (!added.length && !removed.length) return { added, removed };
    if (removed.length) await trx.deleteFrom('event_staff').where('user_id', '=', userId).where('event_id', 'in', removed).execute();
    if (added.length) await trx.insertInto('event_staff').values(added.map((event_id) => ({ event_id, user_id: userId, added_at: nowIso, added_by: actor }))).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'user.events_changed', subjectId: userId, data: { added, removed } });
    return { added, removed };
  });
}

/** Adds one staff member to one event's team (idempotent); for tests, the CLI and event-scoped team pages. */
export async function addToTeam(deps: Deps, actor: string, userId: string, eventId: string): Promise<void> {
  const current = (await deps.database.db.selectFrom('event_staff').select('event_id').where('user_id', '=', userId).execute()).map((r) => r.event_id);
  await setUserEvents(deps, actor, userId, [...current, eventId]);
}
