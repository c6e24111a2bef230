import { AppError } from '../errors.ts';
import { findApplicationById, type Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById } from '../db/repositories/events.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { assertSeatsAvailable, lockEventSeats, makeOffer } from './offers.ts';
import { can } from './users.ts';

/**
 * Manual review of verified applications, with an internal note (never shown to the applicant):
 *   approve → an offer like a drawn party (makeOffer source 'review'), using seats of the capacity;
 *   reject  → out of the selection;
 *   hold    → kept out of the draw for now (decide later);
 *   release → back into the pool (from hold or reject), while the entry list is not frozen.
 * Parties that hold seats (offered, confirmed) are not reviewed here: they confirm or decline.
 */
export type ReviewDecision = 'approve' | 'reject' | 'hold' | 'release';
export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['approve', 'reject', 'hold', 'release'];

/** From which statuses each decision is possible. */
const FROM: Record<ReviewDecision, readonly string[]> = {
  approve: ['submitted', 'held', 'rejected', 'waitlisted', 'not_selected'],
  reject: ['submitted', 'held', 'waitlisted', 'not_selected'],
  hold: ['submitted', 'rejected', 'waitlisted'],
  release: ['held', 'rejected'],
};
const TO: Record<Exclude<ReviewDecision, 'approve'>, string> = { reject: 'rejected', hold: 'held', release: 'submitted' };
const AUDIT: Record<ReviewDecision, string> = { approve: 'application.approved', reject: 'application.rejected', hold: 'application.held', release: 'application.released' };

export const MAX_NOTE = 2000;

/**
 * Statuses the draw decided (finding 10): approving one of these gives seats outside the published draw order,
 * so only owners and admins may, and the audit log names it (application.approved_outside_draw).
 */
const DRAWN = ['waitlisted', 'not_selected'];
const outsideDraw = (decision: ReviewDecision, status: string) => decision === 'approve' && DRAWN.includes(status);

/** The decisions the page offers for an application as it is now (verified only), to a staff member of this role. */
export function reviewChoices(a: Pick<Application, 'status' | 'verified'>, role?: string): ReviewDecision[] {
  if (!a.verified) return [];
  return REVIEW_DECISIONS.filter((d) => FROM[d].includes(a.status) && (role === undefined || !outsideDraw(d, a.status) || can(role, 'approveOutsideDraw')));
}

/** Staff accounts are checked by role; other actors (the CLI, the scheduler) act for the operator. */
function assertMayDecide(decision: ReviewDecision, status: string, actorRole: string | null): void {
  if (outsideDraw(decision, status) && actorRole !== null && !can(actorRole, 'approveOutsideDraw')) throw new AppError('auth.forbidden');
}

export async function reviewApplication(
  deps: Deps,
  actor: string,
  applicationId: string,
  decision: ReviewDecision,
  note = '',
): Promise<Application> {
  const { db } = deps.database;
  if (!REVIEW_DECISIONS.includes(decision)) throw new AppError('validation.failed', { fields: [{ field: 'decision', code: 'invalid_choice' }] });
  const text = note.trim();
  if (text.length > MAX_NOTE) throw new AppError('validation.failed', { fields: [{ field: 'note', code: 'too_long', params: { max: MAX_NOTE } }] });
  const found = await findApplicationById(db, applicationId);
  if (!found) throw new AppError('application.not_found');
  const actorRole = (await db.selectFrom('users').select('role').where('id', '=', actor).executeTakeFirst())?.role ?? null;
  assertMayDecide(decision, found.status, actorRole);
  const event = await findEventById(db, found.eventId);
  if (!event) throw new AppError('event.not_found');
  const now = deps.clock.now();
  const nowIso = now.toISOString();

  const updated = await db.transaction().execute(async (trx) => {
    if (decision === 'approve') await assertSeatsAvailable(trx, event, found.partySize);
    else await lockEventSeats(trx, event.id);
    // Re-check under the lock: the applicant may have withdrawn meanwhile.
    const app = await findApplicationById(trx, applicationId);
    if (!app || !app.verified || !FROM[decision].includes(app.status)) throw new AppError('review.not_allowed');
    // Again under the lock: a draw may have run since the check above.
    assertMayDecide(decision, app.status, actorRole);
    if (decision === 'release') {
      const draw = await trx.selectFrom('draws').select('status').where('event_id', '=', event.id).executeTakeFirst();
      if (draw && draw.status !== 'committed') throw new AppError('draw.already_frozen');
    }
    await trx.updateTable('applications').set({ review_note: text || app.reviewNote, updated_at: nowIso }).where('id', '=', app.id).execute();
    if (decision === 'approve') {
      const offer = await makeOffer(trx, deps, app, 'review', now, { event, actor });
      if (!offer) throw new AppError('review.not_allowed');
    } else {
      await trx.updateTable('applications').set({ status: TO[decision] }).where('id', '=', app.id).where('status', '=', app.status).execute();
    }
    const action = outsideDraw(decision, app.status) ? 'application.approved_outside_draw' : AUDIT[decision];
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action,
      eventId: event.id,
      subjectId: app.id,
      data: { from: app.status, note: text || undefined, ...(app.drawPosition !== null ? { drawPosition: app.drawPosition } : {}) },
    });
    return (await findApplicationById(trx, app.id))!;
  });
  if (decision === 'approve') deps.afterCommit?.mailEnqueued();
  return updated;
}
