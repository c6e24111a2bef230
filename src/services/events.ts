import { AppError } from '../errors.ts';
import { EVENT_DEFAULTS, type Event, type EventInput, type EventStatus, validateEvent } from '../domain/event.ts';
import { isUniqueViolation, type Queryable } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById, insertEvent, updateEventRow } from '../db/repositories/events.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

export async function createEvent(deps: Deps, actor: string, input: EventInput): Promise<Event> {
  const errors = validateEvent(input);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const event: Event = { ...EVENT_DEFAULTS, ...input, id: nextId(deps) };
  const nowIso = deps.clock.now().toISOString();
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      await insertEvent(trx, event, nowIso);
      await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.created', eventId: event.id, subjectId: event.id, data: { slug: event.slug } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation.failed', { fields: [{ field: 'slug', code: 'slug_taken' }] });
    throw err;
  }
  return event;
}

export async function updateEvent(deps: Deps, actor: string, id: string, input: EventInput): Promise<Event> {
  const existing = await findEventById(deps.database.db, id);
  if (!existing) throw new AppError('event.not_found');
  const errors = validateEvent(input);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const event: Event = { ...existing, ...input, id };
  const nowIso = deps.clock.now().toISOString();
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      await updateEventRow(trx, event, nowIso);
      await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.updated', eventId: id, subjectId: id });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation.failed', { fields: [{ field: 'slug', code: 'slug_taken' }] });
    throw err;
  }
  return event;
}

/** The event by id, or the coded `event.not_found` (mapped to 404 in one place). */
export async function requireEventById(db: Queryable, id: string): Promise<Event> {
  const event = await findEventById(db, id);
  if (!event) throw new AppError('event.not_found');
  return event;
}

export const TRANSITIONS: Record<EventStatus, EventStatus[]> = { draft: ['open'], open: ['closed'], closed: ['open'] };

/** draft → open → closed (and closed → open to reopen). */
export async function changeEventStatus(deps: Deps, actor: string, id: string, to: EventStatus): Promise<Event> {
  const event = await findEventById(deps.database.db, id);
  if (!event) throw new AppError('event.not_found');
  if (event.status === to) return event;
  if (!TRANSITIONS[event.status].includes(to)) {
    throw new AppError('validation.failed', { fields: [{ field: 'status', code: 'invalid_transition' }] });
  }
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('events').set({ status: to, updated_at: nowIso }).where('id', '=', id).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: `event.${to === 'open' ? 'opened' : 'closed'}`, eventId: id, subjectId: id });
  });
  return { ...event, status: to };
}
