import { createHmac } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { AppError } from '../errors.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import type { UserRow } from '../db/schema.ts';
import { open, seal } from '../platform/secret-box.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

/**
 * Two-factor sign-in for staff (issue 10): TOTP (RFC 6238: SHA-1, 6 digits, 30 s — what every authenticator app
 * reads from the QR code), plus single-use recovery codes. Every check takes the time from deps.clock.
 * A code is accepted once: the accepted 30-second step is stored and only later steps pass (no replay).
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Admit';
const SEAL_PURPOSE = 'totp';
/** Roles the owner's policy can oblige to use a second factor. */
export const TWO_FACTOR_POLICY_ROLES = ['owner', 'admin'];
const POLICY = 'require_2fa_admins';

const totp = (secretBase32: string, label: string) =>
  new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD });

/** Recovery codes: 10 Crockford base32 characters (50 bits) in two groups; compared as lowercase without separators. */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');
const hashRecovery = (deps: Deps, code: string) => createHmac('sha256', deps.config.secret).update(`recovery:${normalizeRecovery(code)}`).digest('hex');

export interface TotpEnrolment {
  /** Base32, for typing into an app by hand. */
  secret: string;
  /** otpauth:// URI, for the QR code. */
  uri: string;
}

export async function twoFactorState(deps: Deps, userId: string): Promise<{ enrolled: boolean; recoveryCodesLeft: number }> {
  const { db } = deps.database;
  const row = await db.selectFrom('staff_totp').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
  const left = await db.selectFrom('staff_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return { enrolled: !!row?.confirmed_at, recoveryCodesLeft: Number(left.n) };
}

/**
 * The secret being set up: the pending one (so a reload shows the same QR code), or a new one. A confirmed
 * second factor is not replaced here.
 */
export async function startTotpEnrolment(deps: Deps, user: Pick<UserRow, 'id' | 'email'>): Promise<TotpEnrolment> {
  const { db } = deps.database;
  const row = await db.selectFrom('staff_totp').selectAll().where('user_id', '=', user.id).executeTakeFirst();
  if (row?.confirmed_at) throw new AppError('validation.failed', { fields: [{ field: 'code', code: 'already_enrolled' }] });
  let secret: string;
  if (row) secret = open(deps.config.secret, SEAL_PURPOSE, row.secret_sealed);
  else {
    secret = new Secret({ buffer: new Uint8Array(deps.random.bytes(20)).buffer }).base32;
    const sealed = seal(deps.config.secret, SEAL_PURPOSE, secret, deps.random);
    await db.insertInto('staff_totp').values({ user_id: user.id, secret_sealed: sealed, created_at: deps.clock.now().toISOString(), confirmed_at: null }).execute();
  }
  return { secret, uri: totp(secret, user.email).toString() };
}

/** The 30-second step a code is valid for, or null. */
function matchingStep(deps: Deps, secret: string, code: string): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = deps.clock.now().getTime();
  const delta = TOTP.validate({ token, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, timestamp, window: 1 });
  return delta === null ? null : TOTP.counter({ period: TOTP_PERIOD, timestamp }) + delta;
}

/** Confirms the pending secret with a first code; returns the recovery codes, shown once (only hashes are kept). */
export async function confirmTotpEnrolment(deps: Deps, user: Pick<UserRow, 'id'>, code: string): Promise<string[]> {
  const { db } = deps.database;
  const row = await db.selectFrom('staff_totp').selectAll().where('user_id', '=', user.id).executeTakeFirst();
  if (!row || row.confirmed_at) throw new AppError('not_found');
  const step = matchingStep(deps, open(deps.config.secret, SEAL_PURPOSE, row.secret_sealed), code);
  if (step === null) throw new AppError('validation.failed', { fields: [{ field: 'code', code: 'wrong_code' }] });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const b = deps.random.bytes(10);
    const s = Array.from(b, (x) => CROCKFORD[x & 31]).join('');
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
  const nowIso = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('staff_totp').set({ confirmed_at: nowIso, last_step: step }).where('user_id', '=', user.id).where('confirmed_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('not_found');
    await trx.deleteFrom('staff_recovery_codes').where('user_id', '=', user.id).execute();
    await trx.insertInto('staff_recovery_codes').values(codes.map((c) => ({ code_hash: hashRecovery(deps, c), user_id: user.id, created_at: nowIso, used_at: null }))).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: user.id, action: 'user.two_factor_enabled', subjectId: user.id });
  });
  return codes;
}

/**
 * The second step of signing in: a current TOTP code (each accepted once) or an unused recovery code (then used up).
 */
export async function verifySecondFactor(deps: Deps, userId: string, code: string): Promise<boolean> {
  const { db } = deps.database;
  const row = await db.selectFrom('staff_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row?.confirmed_at) return false;
  const nowIso = deps.clock.now().toISOString();
  const step = matchingStep(deps, open(deps.config.secret, SEAL_PURPOSE, row.secret_sealed), code);
  if (step !== null) {
    // Conditional update: of two requests with the same code, one wins.
    const res = await db.updateTable('staff_totp').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
  if (normalizeRecovery(code).length !== 10) return false;
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('staff_recovery_codes')
      .set({ used_at: nowIso })
      .where('code_hash', '=', hashRecovery(deps, code))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: userId, action: 'user.recovery_code_used', subjectId: userId });
    return true;
  });
}

/**
 * The owner turns off someone's second factor (a lost phone and lost recovery codes): they sign in with their
 * password again and, if the policy requires it, set up a new one. Nobody resets their own this way.
 */
export async function resetTwoFactor(deps: Deps, actor: string, userId: string): Promise<void> {
  if (actor === userId) throw new AppError('validation.failed', { fields: [{ field: 'user', code: 'not_yourself' }] });
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('staff_totp').where('user_id', '=', userId).executeTakeFirst();
    await trx.deleteFrom('staff_recovery_codes').where('user_id', '=', userId).execute();
    if (Number(res.numDeletedRows) === 0) return;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'user.two_factor_reset', subjectId: userId });
  });
}

/** user id → whether their second factor is set up (for the staff list). */
export async function twoFactorUsers(deps: Deps): Promise<Set<string>> {
  const rows = await deps.database.db.selectFrom('staff_totp').select('user_id').where('confirmed_at', 'is not', null).execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function twoFactorRequiredForAdmins(deps: Deps): Promise<boolean> {
  const row = await deps.database.db.selectFrom('security_settings').select('value').where('name', '=', POLICY).executeTakeFirst();
  return row?.value === '1';
}

export async function setTwoFactorPolicy(deps: Deps, actor: string, required: boolean): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('security_settings').select('value').where('name', '=', POLICY).executeTakeFirst();
    if ((current?.value === '1') === required) return;
    if (current) await trx.updateTable('security_settings').set({ value: required ? '1' : '0', updated_at: nowIso, updated_by: actor }).where('name', '=', POLICY).execute();
    else await trx.insertInto('security_settings').values({ name: POLICY, value: required ? '1' : '0', updated_at: nowIso, updated_by: actor }).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'security.two_factor_policy_changed', data: { requiredForOwnersAndAdmins: required } });
  });
}

/** Whether this staff member must set up a second factor before doing anything else (the owner's policy). */
export async function mustEnrolTwoFactor(deps: Deps, user: Pick<UserRow, 'id' | 'role'>): Promise<boolean> {
  if (!TWO_FACTOR_POLICY_ROLES.includes(user.role)) return false;
  if (!(await twoFactorRequiredForAdmins(deps))) return false;
  return !(await twoFactorState(deps, user.id)).enrolled;
}

export async function hasTwoFactor(deps: Deps, userId: string): Promise<boolean> {
  return (await twoFactorState(deps, userId)).enrolled;
}
