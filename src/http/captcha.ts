import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';

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
}

export function altchaCaptcha(opts: CaptchaOptions): Captcha {
  const hmacSignatureSecret = `altcha:${opts.secret}`;
  const hmacKeySignatureSecret = `altcha-key:${opts.secret}`;
  const ttl = opts.ttlSeconds ?? 600;
  const now = opts.now ?? (() => new Date());
  // Solved challenges are remembered until they expire, so one solution cannot be replayed.
  const used = new Map<string, number>();

  function remember(sig: string, expiresAtSec: number) {
    const t = now().getTime() / 1000;
    if (used.size > 100_000) for (const [k, exp] of used) if (exp < t) used.delete(k);
    used.set(sig, expiresAtSec);
  }

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
      if (!sig || typeof sig !== 'string' || used.has(sig)) return false;
      // Reserve the signature before the (async) verification: two concurrent requests with one
      // payload must not both pass. A failed check releases it again.
      const expiresAt = Number(decoded.challenge.parameters?.expiresAt) || now().getTime() / 1000 + ttl;
      remember(sig, expiresAt);
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
      if (!verified) used.delete(sig);
      return verified;
    },
  };
}
