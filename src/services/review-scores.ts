import { AppError } from '../errors.ts';
import { findApplicationById } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById } from '../db/repositories/events.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { MAX_NOTE } from './review.ts';

export const SCORES = [1, 2, 3, 4, 5] as const;

/**
 * A reviewer scores an application 1–5 with a note; a second score by the same reviewer replaces the first.
 * The application's average (× 100, so it sorts as an integer on an index) and count are rewritten in the same
 * transaction from the scores themselves — never drifting from them.
 */
export async function scoreApplication(deps: Deps, actor: string, applicationId: string, score: number, note = ''): Promise<{ average: number; count: number }> {
  const { db } = deps.database;
  const fields = [];
  if (!Number.isInteger(score) || score < 1 || score > 5) fields.push({ field: 'score', code: 'invalid_choice' });
  const text = note.trim();
  if (text.length > MAX_NOTE) fields.push({ field: 'score_note', code: 'too_long', params: { max: MAX_NOTE } });
  if (fields.length) throw new AppError('validation.failed', { fields });
  const app = await findApplicationById(db, applicationId);
  if (!app) throw new AppError('application.not_found');
  const nowIso = deps.clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('application_scores')
      .values({ application_id: app.id, reviewer_id: actor, event_id: app.eventId, score, note: text || null, created_at: nowIso, updated_at: nowIso })
      .onConflict((oc) => oc.columns(['application_id', 'reviewer_id']).doUpdateSet({ score, note: text || null, updated_at: nowIso }))
      .execute();
    const agg = await trx
      .selectFrom('application_scores')
      .select([(eb) => eb.fn.sum<number | string>('score').as('total'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('application_id', '=', app.id)
      .executeTakeFirstOrThrow();
    const count = Number(agg.n);
    const average = count ? Math.round((Number(agg.total) * 100) / count) : 0;
    await trx.updateTable('applications').set({ review_score: average, review_count: count }).where('id', '=', app.id).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'application.scored', eventId: app.eventId, subjectId: app.id, data: { score, note: text || undefined } });
    return { average, count };
  });
}

/** Owner/admin turn blind review on or off for one event (reviewers then see no name, address or country). */
export async function setBlindReview(deps: Deps, actor: string, eventId: string, blind: boolean): Promise<void> {
  const { db } = deps.database;
  const event = await findEventById(db, eventId);
  if (!event) throw new AppError('event.not_found');
  const nowIso = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('review_settings')
      .values({ event_id: event.id, blind: blind ? 1 : 0, updated_at: nowIso })
      .onConflict((oc) => oc.column('event_id').doUpdateSet({ blind: blind ? 1 : 0, updated_at: nowIso }))
      .execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: blind ? 'review.blind_on' : 'review.blind_off', eventId: event.id, subjectId: event.id });
  });
}
