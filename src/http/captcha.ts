import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { SpentChallenges } from './captcha-spent.ts';

/** Self-hosted proof-of-work (ALTCHA): no third party sees our applicants. */
export interface Captcha {
  challenge(): Promise<Challenge>;
  /** The widget's base64 JSON payload; false when missing, wrong, expired or replayed. */
  verify(payload: string | undefined): Promise<boolean>;
}

export interface CaptchaOptions {
  secret: string;
  /** Expected number of SHA-256 attempts a browser makes (difficulty). */
  cost: number;
  ttlSeconds?: number;
  now?: () => Date;
  /** Where solved challenges are remembered: shared by all instances (captcha-spent.ts). */
  spent: SpentChallenges;
}

export function altchaCaptcha(opts: CaptchaOptions): Captcha {
  const hmacSignatureSecret = `altcha:${opts.secret}`;
  const hmacKeySignatureSecret = `altcha-key:${opts.secret}`;
  const ttl = opts.ttlSeconds ?? 600;
  const now = opts.now ?? (() => new Date());

  return {
    async challenge() {
      const cost = Math.max(2, opts.cost);
      return createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        counter: randomInt(Math.floor(cost / 2), cost),
        deriveKey,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
        expiresAt: new Date(now().getTime() + ttl * 1000),
      });
    },
    async verify(payload) {
      if (!payload || payload.length > 8192) return false;
      let decoded: { challenge?: Challenge; solution?: unknown };
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
      } catch {
        return false;
      }
      if (!decoded?.challenge || !decoded.solution) return false;
      const sig = decoded.challenge.signature ?? '';
      if (!sig || typeof sig !== 'string') return false;
      const expiresAt = Number(decoded.challenge.parameters?.expiresAt) || now().getTime() / 1000 + ttl;
      let verified = false;
      try {
        const result = await verifySolution({
          challenge: decoded.challenge,
          solution: decoded.solution as never,
          deriveKey,
          hmacSignatureSecret,
          hmacKeySignatureSecret,
        });
        verified = result.verified;
      } catch {
        verified = false;
      }
      // Only a valid solution is remembered (so nobody can fill the table with made-up signatures), and it is
      // accepted only by the one request — of any instance — whose spend() records it first: concurrent replays
      // of one payload all verify, one wins.
      return verified && (await opts.spent.spend(sig, new Date(expiresAt * 1000)));
    },
  };
}
