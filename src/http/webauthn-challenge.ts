import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../services/deps.ts';

/**
 * The WebAuthn challenge between the options request and the browser's answer: a signed, httpOnly cookie for one
 * purpose that expires after CHALLENGE_MS and is cleared when it is taken.
 */
const COOKIE = 'admit_webauthn';
const CHALLENGE_MS = 5 * 60_000;

export function keepChallenge(deps: Deps, reply: FastifyReply, purpose: 'register' | 'login', challenge: string): void {
  const secure = deps.config.publicUrl.startsWith('https://');
  reply.setCookie(COOKIE, `${purpose}|${challenge}|${deps.clock.now().getTime() + CHALLENGE_MS}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    signed: true,
    maxAge: CHALLENGE_MS / 1000,
  });
}

export function takeChallenge(deps: Deps, req: FastifyRequest, reply: FastifyReply, purpose: 'register' | 'login'): string | null {
  const raw = req.cookies[COOKIE];
  const v = raw ? req.unsignCookie(raw) : null;
  reply.clearCookie(COOKIE, { path: '/' });
  const [p, challenge, until] = v?.valid && v.value ? v.value.split('|') : [];
  return p === purpose && challenge && Number(until) > deps.clock.now().getTime() ? challenge : null;
}
