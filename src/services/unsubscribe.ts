import { AppError } from '../errors.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { applicationOfUnsubscribeToken } from '../mail/messages.ts';
import { suppressAddress } from '../mail/suppression.ts';
import { nextId } from './ids.ts';
import type { Deps } from './deps.ts';

/** Whose link it is (the event and whether already unsubscribed); not_found for a token that is not ours. */
export async function findUnsubscribe(deps: Deps, token: string): Promise<{ applicationId: string; eventId: string; done: boolean }> {
  const id = applicationOfUnsubscribeToken(deps.config.secret, token);
  if (!id) throw new AppError('not_found');
  const app = await deps.database.db.selectFrom('applications').select(['id', 'event_id', 'email_normalized']).where('id', '=', id).executeTakeFirst();
  if (!app) throw new AppError('not_found');
  const done = await deps.database.db
    .selectFrom('mail_suppressions')
    .select('scope')
    .where('email_normalized', '=', app.email_normalized)
    .where('scope', '=', app.event_id)
    .executeTakeFirst();
  return { applicationId: app.id, eventId: app.event_id, done: !!done };
}

/**
 * One-click unsubscribe (RFC 8058): from this event's organizer messages and reminders, at once, without login.
 * Idempotent; mails a person needs (verification, offers, tickets) are not affected (mail/suppression.ts).
 */
export async function unsubscribe(deps: Deps, token: string): Promise<{ eventId: string }> {
  const found = await findUnsubscribe(deps, token);
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const app = await trx.selectFrom('applications').select(['email']).where('id', '=', found.applicationId).executeTakeFirstOrThrow();
    await suppressAddress(trx, app.email, found.eventId, 'unsubscribe', null, nowIso);
    if (!found.done) await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: 'applicant', action: 'mail.unsubscribed', eventId: found.eventId, subjectId: found.applicationId });
  });
  return { eventId: found.eventId };
}
