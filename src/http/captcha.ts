import { createHash, createHmac, randomInt as nodeRandomInt } from 'node:crypto';
import { verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { SpentChallenges } from './captcha-spent.ts';
import { cryptoRandom } from '../platform/random.ts';

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
    // altcha-lib's createChallenge, computed with node:crypto in one synchronous step: it signs through WebCrypto
    // (a key import and two async signs per challenge) and was most of the endpoint's time (issue 12). Same
    // format, byte for byte: parameters with sorted keys, keyPrefix = the first half of
    // SHA-256(salt ‖ nonce ‖ counter as uint32 BE), keySignature = HMAC(key), signature = HMAC(JSON of parameters).
    // test/security/captcha-fast.test.ts solves and verifies these with altcha-lib itself.
    async challenge() {
      const cost = Math.max(2, opts.cost);
      const counter = nodeRandomInt(Math.floor(cost / 2) + 1, cost + 1);
      const random = cryptoRandom.bytes(32); // one draw from the pooled CSPRNG (platform/random.ts)
      const nonce = random.subarray(0, 16);
      const salt = random.subarray(16);
      const password = Buffer.alloc(20);
      nonce.copy(password);
      password.writeUInt32BE(counter, 16);
      const key = createHash('sha256').update(salt).update(password).digest();
      const parameters = {
        algorithm: 'SHA-256',
        cost: 1,
        expiresAt: Math.floor(now().getTime() / 1000) + ttl,
        keyLength: 32,
        keyPrefix: key.subarray(0, 16).toString('hex'),
        keySignature: createHmac('sha256', hmacKeySignatureSecret).update(key).digest('hex'),
        nonce: nonce.toString('hex'),
        salt: salt.toString('hex'),
      };
      const signature = createHmac('sha256', hmacSignatureSecret).update(JSON.stringify(parameters)).digest('hex');
      return { parameters, signature } as Challenge;
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
