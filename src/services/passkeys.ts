import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AppError } from '../errors.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import type { UserRow } from '../db/schema.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

/**
 * Passkeys for staff (WebAuthn, via @simplewebauthn/server). The relying party is our PUBLIC_URL: its hostname is
 * the RP ID and its origin the only accepted origin. Passkeys are discoverable and require user verification
 * (PIN, fingerprint), so a passkey alone is a strong sign-in. Challenges come from deps.random; the caller keeps
 * the challenge (a signed, short-lived cookie) and hands it back for verification.
 */
export const MAX_PASSKEY_NAME = 60;

function relyingParty(deps: Deps) {
  const url = new URL(deps.config.publicUrl);
  return { rpName: 'Admit', rpID: url.hostname, origin: url.origin };
}

const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(deps: Deps, userId: string): Promise<PasskeyInfo[]> {
  const rows = await deps.database.db.selectFrom('staff_passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

export async function passkeyRegistrationOptions(deps: Deps, user: Pick<UserRow, 'id' | 'email' | 'name'>): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { rpName, rpID } = relyingParty(deps);
  const existing = await deps.database.db.selectFrom('staff_passkeys').select(['id', 'transports']).where('user_id', '=', user.id).execute();
  return generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.email,
    userDisplayName: user.name || user.email,
    userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
    challenge: new Uint8Array(deps.random.bytes(32)),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as string[] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

export async function registerPasskey(deps: Deps, user: Pick<UserRow, 'id'>, input: { response: RegistrationResponseJSON; expectedChallenge: string; name?: string }): Promise<PasskeyInfo> {
  const { rpID, origin } = relyingParty(deps);
  const name = (input.name ?? '').trim().slice(0, MAX_PASSKEY_NAME);
  const result = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: input.expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
  }).catch(() => ({ verified: false as const, registrationInfo: undefined }));
  if (!result.verified || !result.registrationInfo) throw new AppError('validation.failed', { fields: [{ field: 'passkey', code: 'invalid' }] });
  const { credential } = result.registrationInfo;
  const nowIso = deps.clock.now().toISOString();
  const row = { id: credential.id, user_id: user.id, public_key: toB64(credential.publicKey), counter: credential.counter, transports: JSON.stringify(credential.transports ?? []), name, created_at: nowIso, last_used_at: null };
  await deps.database.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('staff_passkeys').select('id').where('id', '=', credential.id).executeTakeFirst();
    if (taken) throw new AppError('validation.failed', { fields: [{ field: 'passkey', code: 'invalid' }] });
    await trx.insertInto('staff_passkeys').values(row).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: user.id, action: 'user.passkey_added', subjectId: user.id, data: { passkey: credential.id } });
  });
  return { id: row.id, name, createdAt: nowIso, lastUsedAt: null };
}

export async function removePasskey(deps: Deps, userId: string, passkeyId: string): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('staff_passkeys').where('id', '=', passkeyId).where('user_id', '=', userId).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw new AppError('not_found');
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: userId, action: 'user.passkey_removed', subjectId: userId, data: { passkey: passkeyId } });
  });
}

export async function passkeySignInOptions(deps: Deps): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: relyingParty(deps).rpID, challenge: new Uint8Array(deps.random.bytes(32)), userVerification: 'required' });
}

/** Verifies a passkey assertion; returns the staff member it signs in (never a disabled one). */
export async function signInWithPasskey(deps: Deps, input: { response: AuthenticationResponseJSON; expectedChallenge: string }): Promise<UserRow> {
  const { db } = deps.database;
  const { rpID, origin } = relyingParty(deps);
  const refuse = () => new AppError('auth.invalid_credentials');
  const stored = typeof input.response?.id === 'string' ? await db.selectFrom('staff_passkeys').selectAll().where('id', '=', input.response.id).executeTakeFirst() : undefined;
  if (!stored) throw refuse();
  const result = await verifyAuthenticationResponse({
    response: input.response,
    expectedChallenge: input.expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: { id: stored.id, publicKey: fromB64(stored.public_key), counter: Number(stored.counter), transports: JSON.parse(stored.transports) as string[] },
    requireUserVerification: true,
  }).catch(() => null);
  if (!result?.verified) throw refuse();
  const user = await db.selectFrom('users').selectAll().where('id', '=', stored.user_id).executeTakeFirst();
  if (!user || user.disabled) throw refuse();
  await db.updateTable('staff_passkeys').set({ counter: result.authenticationInfo.newCounter, last_used_at: deps.clock.now().toISOString() }).where('id', '=', stored.id).execute();
  return user;
}
