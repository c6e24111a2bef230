import { contentFor, type Event } from '../domain/event.ts';
import { AppError } from '../errors.ts';
import type { Queryable } from '../db/connect.ts';
import { findApplicationById, type Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById } from '../db/repositories/events.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { assertSeatsAvailable, lockEventSeats, makeOffer } from './offers.ts';
import { can } from './users.ts';

/**
 * Manual review of verified applications, with an internal note (never shown to the applicant):
 *   approve → an offer like a drawn party (makeOffer source 'review'), using seats of the capacity;
 *   reject  → out of the selection; optionally a kind mail in the applicant's language says so;
 *   hold    → kept out of the draw for now (decide later) — the freeze refuses while any is held, unless the
 *             organizer explicitly leaves them out (freezeDraw `excludeHeld`), so nobody waits unanswered;
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
/** A bulk decision covers at most one page of the list. */
export const MAX_BULK = 200;

export interface ReviewOptions {
  /** Reject only: enqueue the rejection mail (`application.rejected`) in the applicant's language. */
  sendMail?: boolean;
}

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

function checkInput(decision: ReviewDecision, note: string): string {
  if (!REVIEW_DECISIONS.includes(decision)) throw new AppError('validation.failed', { fields: [{ field: 'decision', code: 'invalid_choice' }] });
  const text = note.trim();
  if (text.length > MAX_NOTE) throw new AppError('validation.failed', { fields: [{ field: 'note', code: 'too_long', params: { max: MAX_NOTE } }] });
  return text;
}

/**
 * One decision inside the caller's transaction (the event's seat lock already held). Re-checks the application
 * under the lock; returns false when it is no longer in a state the decision applies to.
 */
async function decide(
  trx: Queryable,
  deps: Deps,
  actor: string,
  event: Event,
  applicationId: string,
  decision: ReviewDecision,
  text: string,
  opts: ReviewOptions & { bulk?: boolean; actorRole: string | null },
): Promise<{ app: Application; mailed: boolean } | null> {
  const app = await findApplicationById(trx, applicationId);
  if (!app || app.eventId !== event.id || !app.verified || !FROM[decision].includes(app.status)) return null;
  // Under the lock: a draw may have run since the caller looked (finding 10). In bulk, such rows are skipped.
  if (opts.bulk && outsideDraw(decision, app.status) && opts.actorRole !== null && !can(opts.actorRole, 'approveOutsideDraw')) return null;
  assertMayDecide(decision, app.status, opts.actorRole);
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  if (decision === 'approve') {
    const offer = await makeOffer(trx, deps, app, 'review', now, { event, actor });
    if (!offer) return null;
  } else {
    const res = await trx.updateTable('applications').set({ status: TO[decision] }).where('id', '=', app.id).where('status', '=', app.status).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return null;
  }
  await trx.updateTable('applications').set({ review_note: text || app.reviewNote, updated_at: nowIso }).where('id', '=', app.id).execute();
  const mailed = decision === 'reject' && !!opts.sendMail && !app.email.endsWith('@invalid');
  if (mailed) {
    await enqueueMail(trx, {
      id: nextId(deps),
      kind: 'application.rejected',
      to: app.email,
      eventId: event.id,
      now: nowIso,
      template: { name: 'application.rejected', locale: app.locale, params: { name: app.name, eventTitle: contentFor(event, app.locale).title } },
    });
  }
  await appendAudit(trx, {
    id: nextId(deps),
    at: nowIso,
    actor,
    action: outsideDraw(decision, app.status) ? 'application.approved_outside_draw' : AUDIT[decision],
    eventId: event.id,
    subjectId: app.id,
    data: {
      from: app.status,
      note: text || undefined,
      mailed: mailed || undefined,
      bulk: opts.bulk || undefined,
      ...(app.drawPosition !== null ? { drawPosition: app.drawPosition } : {}),
    },
  });
  return { app, mailed };
}

export async function reviewApplication(
  deps: Deps,
  actor: string,
  applicationId: string,
  decision: ReviewDecision,
  note = '',
  opts: ReviewOptions = {},
): Promise<Application> {
  const { db } = deps.database;
  const text = checkInput(decision, note);
  const found = await findApplicationById(db, applicationId);
  if (!found) throw new AppError('application.not_found');
  const actorRole = await roleOf(deps, actor);
  assertMayDecide(decision, found.status, actorRole);
  const event = await findEventById(db, found.eventId);
  if (!event) throw new AppError('event.not_found');

  const updated = await db.transaction().execute(async (trx) => {
    if (decision === 'approve') await assertSeatsAvailable(trx, event, found.partySize);
    else await lockEventSeats(trx, event.id);
    if (decision === 'release') await assertNotFrozen(trx, event.id);
    // Re-checked under the lock: the applicant may have withdrawn meanwhile.
    const done = await decide(trx, deps, actor, event, applicationId, decision, text, { ...opts, actorRole });
    if (!done) throw new AppError('review.not_allowed');
    return (await findApplicationById(trx, applicationId))!;
  });
  if (decision === 'approve' || opts.sendMail) deps.afterCommit?.mailEnqueued();
  return updated;
}

/** A staff member's role; null for other actors (the CLI, the scheduler), who act for the operator. */
async function roleOf(deps: Deps, actor: string): Promise<string | null> {
  return (await deps.database.db.selectFrom('users').select('role').where('id', '=', actor).executeTakeFirst())?.role ?? null;
}

async function assertNotFrozen(trx: Queryable, eventId: string): Promise<void> {
  const draw = await trx.selectFrom('draws').select('status').where('event_id', '=', eventId).executeTakeFirst();
  if (draw && draw.status !== 'committed') throw new AppError('draw.already_frozen');
}

export interface BulkReviewResult {
  /** Applications the decision was applied to. */
  done: string[];
  /** Selected, but no longer in a state the decision applies to (or not of this event): left as they are. */
  skipped: string[];
  mailed: number;
}

/**
 * The same decision for many applications of one event (the list's checkboxes), in ONE transaction: all the
 * changes, mails and audit entries commit together. Applications whose state changed meanwhile are skipped and
 * reported, not failed. Approving many needs seats for all of them at once.
 */
export async function reviewApplications(
  deps: Deps,
  actor: string,
  eventId: string,
  applicationIds: readonly string[],
  decision: ReviewDecision,
  opts: ReviewOptions & { note?: string } = {},
): Promise<BulkReviewResult> {
  const { db } = deps.database;
  const text = checkInput(decision, opts.note ?? '');
  const ids = [...new Set(applicationIds)];
  if (!ids.length) throw new AppError('validation.failed', { fields: [{ field: 'ids', code: 'required' }] });
  if (ids.length > MAX_BULK) throw new AppError('validation.failed', { fields: [{ field: 'ids', code: 'too_many', params: { max: MAX_BULK } }] });
  const event = await findEventById(db, eventId);
  if (!event) throw new AppError('event.not_found');
  const actorRole = await roleOf(deps, actor);
  const nowIso = deps.clock.now().toISOString();

  const result = await db.transaction().execute(async (trx) => {
    if (decision === 'approve') {
      const rows = await trx.selectFrom('applications').select('party_size').where('id', 'in', ids).where('event_id', '=', event.id).where('status', 'in', [...FROM.approve]).execute();
      await assertSeatsAvailable(trx, event, rows.reduce((s, r) => s + r.party_size, 0));
    } else await lockEventSeats(trx, event.id);
    if (decision === 'release') await assertNotFrozen(trx, event.id);
    const out: BulkReviewResult = { done: [], skipped: [], mailed: 0 };
    for (const id of ids) {
      const d = await decide(trx, deps, actor, event, id, decision, text, { ...opts, bulk: true, actorRole });
      if (!d) out.skipped.push(id);
      else {
        out.done.push(id);
        if (d.mailed) out.mailed++;
      }
    }
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action: 'applications.bulk_reviewed',
      eventId: event.id,
      data: { decision, done: out.done.length, skipped: out.skipped.length, mailed: out.mailed, note: text || undefined },
    });
    return out;
  });
  if (decision === 'approve' || result.mailed) deps.afterCommit?.mailEnqueued();
  return result;
}
