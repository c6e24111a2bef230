import { AppError } from '../errors.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import type { UserRow } from '../db/schema.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

/**
 * API tokens: a staff member's bearer credential for the JSON API, with that user's role. Shown once
 * at creation; only the SHA-256 is stored (160 random bits need no slow hash). The prefix makes a
 * leaked token easy to recognise in logs and by secret scanners.
 */
export const TOKEN_PREFIX = 'admit_';
/** last_used_at is written at most this often per token, so a busy client does not write on every request. */
const TOUCH_MS = 60_000;
export const MAX_TOKEN_NAME = 100;

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function createApiToken(deps: Deps, actor: string, input: { email: string; name?: string }): Promise<{ id: string; token: string; user: UserRow }> {
  const name = (input.name ?? '').trim();
  if (name.length > MAX_TOKEN_NAME) throw new AppError('validation.failed', { fields: [{ field: 'name', code: 'too_long', params: { max: MAX_TOKEN_NAME } }] });
  const { db } = deps.database;
  const user = await db.selectFrom('users').selectAll().where('email', '=', input.email.trim().toLowerCase()).executeTakeFirst();
  if (!user) throw new AppError('validation.failed', { fields: [{ field: 'email', code: 'unknown_user' }] });
  if (user.disabled) throw new AppError('validation.failed', { fields: [{ field: 'email', code: 'user_disabled' }] });
  const token = TOKEN_PREFIX + newToken(deps.random);
  const id = nextId(deps);
  const nowIso = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('api_tokens')
      .values({ id, token_hash: hashToken(token), user_id: user.id, name, created_at: nowIso, last_used_at: null, revoked_at: null })
      .execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'api_token.created', subjectId: id, data: { userId: user.id, name } });
  });
  return { id, token, user };
}

/** The user a bearer token stands for, or null (unknown, revoked, or the user is disabled). */
export async function userForApiToken(deps: Deps, token: string): Promise<UserRow | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const { db } = deps.database;
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.revoked_at', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled) return null;
  const now = deps.clock.now();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= TOUCH_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.token_id).execute();
  }
  const { token_id: _i, revoked_at: _r, last_used_at: _l, ...user } = row;
  return user;
}

export async function listApiTokens(deps: Deps, email: string): Promise<ApiTokenInfo[]> {
  const rows = await deps.database.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at'])
    .where('users.email', '=', email.trim().toLowerCase())
    .orderBy('api_tokens.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

/** Revokes a token for good. Idempotent: returns false when it was unknown or revoked already. */
export async function revokeApiToken(deps: Deps, actor: string, tokenId: string): Promise<boolean> {
  const nowIso = deps.clock.now().toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('api_tokens').set({ revoked_at: nowIso }).where('id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'api_token.revoked', subjectId: tokenId });
    return true;
  });
}
