import { AppError } from '../errors.ts';
import { type Locale } from '../domain/locales.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { hashPassword } from '../platform/password.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { MIN_PASSWORD } from './users.ts';

/** A reset link works once, for this long. */
export const RESET_MINUTES = 60;
/** At most this many reset mails per account per hour (more requests get the same answer and no mail). */
export const RESETS_PER_HOUR = 3;

/**
 * "Forgot your password" for staff. Enumeration-safe: the caller answers the same whatever happened (unknown
 * address, disabled account, too many requests: no mail). The link carries a 160-bit token of which only the
 * SHA-256 is stored; it works once and for RESET_MINUTES. The mail is enqueued in the same transaction as the token.
 */
export async function requestPasswordReset(deps: Deps, input: { email: string; locale: Locale }): Promise<void> {
  const { db } = deps.database;
  const email = input.email.trim().toLowerCase();
  if (!email || email.length > 320) return;
  const user = await db.selectFrom('users').select(['id', 'email', 'disabled']).where('email', '=', email).executeTakeFirst();
  if (!user || user.disabled) return;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const token = newToken(deps.random);
  const url = `${deps.config.publicUrl}/password-reset/${token}`;
  await db.transaction().execute(async (trx) => {
    const recent = await trx
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('created_at', '>', hourAgo)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= RESETS_PER_HOUR) return;
    await trx
      .insertInto('password_resets')
      .values({ token_hash: hashToken(token), user_id: user.id, created_at: nowIso, expires_at: new Date(now.getTime() + RESET_MINUTES * 60_000).toISOString(), used_at: null })
      .execute();
    await enqueueMail(trx, { id: nextId(deps), kind: 'user.password_reset', to: user.email, template: { name: 'user.password_reset', locale: input.locale, params: { url, minutes: RESET_MINUTES } }, now: nowIso });
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: user.id, action: 'user.password_reset_requested', subjectId: user.id });
  });
  deps.afterCommit?.mailEnqueued();
}

/** The account a reset link is for, while the link is unused and fresh. */
export async function findPasswordReset(deps: Deps, token: string): Promise<{ tokenHash: string; userId: string; email: string } | null> {
  const row = await deps.database.db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['password_resets.token_hash', 'password_resets.expires_at', 'password_resets.used_at', 'users.id as user_id', 'users.email', 'users.disabled'])
    .where('password_resets.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.disabled || row.expires_at <= deps.clock.now().toISOString()) return null;
  return { tokenHash: row.token_hash, userId: row.user_id, email: row.email };
}

/**
 * Sets the new password and uses the link up; every session of the account ends (whoever had the old password
 * is signed out) and every other open reset link of the account stops working.
 */
export async function completePasswordReset(deps: Deps, token: string, password: string): Promise<string> {
  const reset = await findPasswordReset(deps, token);
  if (!reset) throw new AppError('not_found');
  if (password.length < MIN_PASSWORD) throw new AppError('validation.failed', { fields: [{ field: 'password', code: 'too_short', params: { min: MIN_PASSWORD } }] });
  const hash = await hashPassword(password);
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('password_resets').set({ used_at: nowIso }).where('token_hash', '=', reset.tokenHash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('not_found');
    await trx.updateTable('password_resets').set({ used_at: nowIso }).where('user_id', '=', reset.userId).where('used_at', 'is', null).execute();
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', reset.userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', reset.userId).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: reset.userId, action: 'user.password_reset', subjectId: reset.userId });
  });
  return reset.userId;
}
