import { AppError } from '../errors.ts';
import { isEmail } from '../domain/email.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import type { UserRow } from '../db/schema.ts';
import { hashPassword, needsRehash, verifyPassword } from '../platform/password.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

export const ROLES = ['owner', 'admin', 'reviewer', 'door'] as const;
export type Role = (typeof ROLES)[number];
/** Absolute session lifetime: a sign-in lasts a working day at most. */
export const SESSION_HOURS = 12;
/** Idle expiry: a session unused this long ends (a forgotten browser at the door does not stay signed in). */
export const SESSION_IDLE_MINUTES = 120;
/** last_seen_at is written at most this often per session. */
const TOUCH_MS = 60_000;
const MAX_USER_AGENT = 300;
export const MIN_PASSWORD = 10;

/** Which role may do what. Door staff only check in; reviewers read and review applications. */
export const CAN = {
  manageEvents: ['owner', 'admin'],
  reviewApplications: ['owner', 'admin', 'reviewer'],
  checkIn: ['owner', 'admin', 'door'],
  manageUsers: ['owner'],
  readMail: ['owner', 'admin'],
  /** Finding 10: an offer to a party the draw put on the waitlist or did not select, outside the published order. */
  approveOutsideDraw: ['owner', 'admin'],
} satisfies Record<string, Role[]>;
export type Permission = keyof typeof CAN;
export const can = (role: string, perm: Permission): boolean => (CAN[perm] as string[]).includes(role);

export async function createUser(deps: Deps, actor: string, input: { email: string; role: Role; name?: string; password?: string }): Promise<UserRow> {
  const email = input.email.trim().toLowerCase();
  const fields = [];
  if (!isEmail(email)) fields.push({ field: 'email', code: 'invalid_email' });
  if (!ROLES.includes(input.role)) fields.push({ field: 'role', code: 'invalid_choice' });
  if (input.password !== undefined && input.password.length < MIN_PASSWORD) fields.push({ field: 'password', code: 'too_short', params: { min: MIN_PASSWORD } });
  if (fields.length) throw new AppError('validation.failed', { fields });
  const exists = await deps.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (exists) throw new AppError('validation.failed', { fields: [{ field: 'email', code: 'email_taken' }] });
  const nowIso = deps.clock.now().toISOString();
  const row: UserRow = {
    id: nextId(deps),
    email,
    name: input.name ?? '',
    password_hash: input.password ? await hashPassword(input.password) : null,
    role: input.role,
    created_at: nowIso,
    disabled: 0,
  };
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values(row).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'user.created', subjectId: row.id, data: { role: row.role } });
  });
  return row;
}

/** A one-time link that lets a user set their password (first owner, invited staff). */
export async function createSetupLink(deps: Deps, userId: string, hours = 72): Promise<string> {
  const token = newToken(deps.random);
  const expires = new Date(deps.clock.now().getTime() + hours * 3_600_000).toISOString();
  await deps.database.db.insertInto('user_setup_tokens').values({ token_hash: hashToken(token), user_id: userId, expires_at: expires, used_at: null }).execute();
  return `${deps.config.publicUrl}/setup/${token}`;
}

export async function findSetupToken(deps: Deps, token: string) {
  const row = await deps.database.db
    .selectFrom('user_setup_tokens')
    .innerJoin('users', 'users.id', 'user_setup_tokens.user_id')
    .select(['user_setup_tokens.token_hash', 'user_setup_tokens.expires_at', 'user_setup_tokens.used_at', 'users.id as user_id', 'users.email'])
    .where('user_setup_tokens.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= deps.clock.now().toISOString()) return null;
  return row;
}

export async function completeSetup(deps: Deps, token: string, password: string): Promise<string> {
  const setup = await findSetupToken(deps, token);
  if (!setup) throw new AppError('not_found');
  if (password.length < MIN_PASSWORD) throw new AppError('validation.failed', { fields: [{ field: 'password', code: 'too_short', params: { min: MIN_PASSWORD } }] });
  const hash = await hashPassword(password);
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('user_setup_tokens').set({ used_at: nowIso }).where('token_hash', '=', setup.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('not_found');
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', setup.user_id).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: setup.user_id, action: 'user.password_set', subjectId: setup.user_id });
  });
  return setup.user_id;
}

export interface SessionMeta {
  userAgent?: string;
}

export async function login(deps: Deps, email: string, password: string, meta: SessionMeta = {}): Promise<{ token: string; user: UserRow }> {
  const user = await verifyCredentials(deps, email, password);
  return { token: await startSession(deps, user.id, meta), user };
}

/** The first step of signing in: the account for this email and password (a second factor may follow). */
export async function verifyCredentials(deps: Deps, email: string, password: string): Promise<UserRow> {
  const user = await deps.database.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? null);
  if (!user || !ok || user.disabled) throw new AppError('auth.invalid_credentials');
  // A hash made at a lower cost than today's is replaced now, while we hold the password.
  if (needsRehash(user.password_hash)) {
    const upgraded = await hashPassword(password);
    await deps.database.db.updateTable('users').set({ password_hash: upgraded }).where('id', '=', user.id).where('password_hash', '=', user.password_hash).execute();
  }
  return user;
}

export async function startSession(deps: Deps, userId: string, meta: SessionMeta = {}): Promise<string> {
  const token = newToken(deps.random);
  const now = deps.clock.now();
  await deps.database.db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
      last_seen_at: now.toISOString(),
      user_agent: meta.userAgent ? meta.userAgent.slice(0, MAX_USER_AGENT) : null,
    })
    .execute();
  return token;
}

/** When a session ends: its absolute expiry, or SESSION_IDLE_MINUTES after it was last used, whichever is first. */
export function sessionEndsAt(s: { expires_at: string; last_seen_at: string | null; created_at: string }): string {
  const idle = new Date(new Date(s.last_seen_at ?? s.created_at).getTime() + SESSION_IDLE_MINUTES * 60_000).toISOString();
  return idle < s.expires_at ? idle : s.expires_at;
}

export async function userForSession(deps: Deps, token: string | undefined): Promise<UserRow | null> {
  if (!token) return null;
  const { db } = deps.database;
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.expires_at', 'sessions.last_seen_at', 'sessions.created_at as session_created_at'])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.disabled) return null;
  const now = deps.clock.now();
  if (sessionEndsAt({ expires_at: row.expires_at, last_seen_at: row.last_seen_at, created_at: row.session_created_at }) <= now.toISOString()) {
    await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    return null;
  }
  if (!row.last_seen_at || now.getTime() - new Date(row.last_seen_at).getTime() >= TOUCH_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('token_hash', '=', tokenHash).execute();
  }
  const { expires_at: _e, last_seen_at: _l, session_created_at: _c, ...user } = row;
  return user;
}

export interface SessionInfo {
  /** The session's token hash: names it in a form without revealing the cookie. */
  id: string;
  createdAt: string;
  lastSeenAt: string;
  endsAt: string;
  userAgent: string | null;
  current: boolean;
}

/** One's own live sessions, the current one first, then by last use. Ended ones are cleared on the way. */
export async function listSessions(deps: Deps, userId: string, currentToken: string | undefined): Promise<SessionInfo[]> {
  const { db } = deps.database;
  const nowIso = deps.clock.now().toISOString();
  const current = currentToken ? hashToken(currentToken) : null;
  const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
  const ended = rows.filter((r) => sessionEndsAt(r) <= nowIso).map((r) => r.token_hash);
  if (ended.length) await db.deleteFrom('sessions').where('token_hash', 'in', ended).execute();
  return rows
    .filter((r) => !ended.includes(r.token_hash))
    .map((r) => ({ id: r.token_hash, createdAt: r.created_at, lastSeenAt: r.last_seen_at ?? r.created_at, endsAt: sessionEndsAt(r), userAgent: r.user_agent, current: r.token_hash === current }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

/** Signs a staff member out of every session but the current one ("sign out everywhere else"). */
export async function endOtherSessions(deps: Deps, userId: string, currentToken: string): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '!=', hashToken(currentToken)).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: userId, action: 'user.sessions_ended', subjectId: userId, data: { n, kept: 'current' } });
    return n;
  });
}

/** Signs a staff member out of every session, this one included ("sign out everywhere"). */
export async function endAllSessions(deps: Deps, userId: string): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: userId, action: 'user.sessions_ended', subjectId: userId, data: { n } });
    return n;
  });
}

export async function logout(deps: Deps, token: string | undefined): Promise<void> {
  if (token) await deps.database.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export async function countUsers(deps: Deps): Promise<number> {
  const r = await deps.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
