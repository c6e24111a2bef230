import { AppError, type FieldError } from '../errors.ts';
import { isEmail } from '../domain/email.ts';
import { type Locale } from '../domain/locales.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import type { UserRow } from '../db/schema.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { ROLES, type Role } from './users.ts';

/** How long an invitation link works. */
export const INVITE_HOURS = 72;

export async function listStaff(deps: Deps): Promise<UserRow[]> {
  return deps.database.db.selectFrom('users').selectAll().orderBy('email').execute();
}

/**
 * Invites a staff member: the user (without a password), a one-time setup link and the mail carrying it are
 * written in ONE transaction, so there is never a user whose invitation got lost. The link is returned once
 * (only its hash is stored) so the inviting owner can also pass it on by hand.
 */
export async function inviteUser(deps: Deps, actor: string, input: { email: string; role: string; locale: Locale }): Promise<{ user: UserRow; setupUrl: string }> {
  const email = input.email.trim().toLowerCase();
  const fields: FieldError[] = [];
  if (!email) fields.push({ field: 'email', code: 'required' });
  else if (!isEmail(email)) fields.push({ field: 'email', code: 'invalid_email' });
  if (!(ROLES as readonly string[]).includes(input.role)) fields.push({ field: 'role', code: 'invalid_choice' });
  if (fields.length) throw new AppError('validation.failed', { fields });
  const exists = await deps.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (exists) throw new AppError('validation.failed', { fields: [{ field: 'email', code: 'email_taken' }] });

  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const user: UserRow = { id: nextId(deps), email, name: '', password_hash: null, role: input.role as Role, created_at: nowIso, disabled: 0 };
  const token = newToken(deps.random);
  const setupUrl = `${deps.config.publicUrl}/setup/${token}`;
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values(user).execute();
    await trx
      .insertInto('user_setup_tokens')
      .values({ token_hash: hashToken(token), user_id: user.id, expires_at: new Date(now.getTime() + INVITE_HOURS * 3_600_000).toISOString(), used_at: null })
      .execute();
    await enqueueMail(trx, { id: nextId(deps), kind: 'user.setup', to: email, template: { name: 'user.setup', locale: input.locale, params: { url: setupUrl } }, now: nowIso });
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'user.invited', subjectId: user.id, data: { role: user.role } });
  });
  deps.afterCommit?.mailEnqueued();
  return { user, setupUrl };
}

/** Disabling ends the person's sessions at once; their audit history stays. Nobody disables themselves. */
export async function setUserDisabled(deps: Deps, actor: string, userId: string, disabled: boolean): Promise<void> {
  if (userId === actor) throw new AppError('validation.failed', { fields: [{ field: 'user', code: 'not_yourself' }] });
  const user = await deps.database.db.selectFrom('users').select(['id', 'disabled']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('not_found');
  if ((user.disabled === 1) === disabled) return;
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', userId).execute();
    if (disabled) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: disabled ? 'user.disabled' : 'user.enabled', subjectId: userId });
  });
}
