import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connect.ts';

/**
 * The memory of solved captcha challenges, shared by every instance of the deployment: a solution is accepted
 * once, whichever instance sees it first (issue 10, finding 9). A per-process Map let the same solution through
 * once per instance behind a load balancer.
 */
export interface SpentChallenges {
  /** Records the challenge as used; true if this call was the first to do so anywhere. */
  spend(signature: string, expiresAt: Date): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * In the database (table captcha_spent, migration 015): INSERT … ON CONFLICT DO NOTHING, and the one insert that
 * wrote the row wins — atomic on both dialects, whatever the number of instances. Rows whose challenge has
 * expired are useless (an expired challenge fails verification anyway) and are deleted at most once a minute.
 */
export function databaseSpentChallenges(db: Db, now: () => Date): SpentChallenges {
  let lastPurge = 0;
  return {
    async spend(signature, expiresAt) {
      const at = now();
      if (at.getTime() - lastPurge > 60_000) {
        lastPurge = at.getTime();
        await db.deleteFrom('captcha_spent').where('expires_at', '<', at.toISOString()).execute();
      }
      const res = await db
        .insertInto('captcha_spent')
        .values({ signature, expires_at: expiresAt.toISOString() })
        .onConflict((oc) => oc.column('signature').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async close() {},
  };
}

/**
 * In Redis when REDIS_URL is set (as the rate limits): SET key NX with the challenge's expiry. Should Redis be
 * unavailable, the database decides instead — still shared, never "accept and hope".
 */
export async function redisSpentChallenges(url: string, fallback: SpentChallenges, log: FastifyBaseLogger): Promise<SpentChallenges> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { connectTimeout: 1000, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  let lastWarn = 0;
  redis.on('error', (err) => {
    if (Date.now() - lastWarn < 30_000) return;
    lastWarn = Date.now();
    log.warn({ err }, 'redis (captcha memory) unavailable; using the database');
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    async spend(signature, expiresAt) {
      try {
        const ok = await redis.set(`admit-altcha:${signature}`, '1', 'PXAT', Math.max(expiresAt.getTime(), Date.now() + 1000), 'NX');
        return ok === 'OK';
      } catch {
        return fallback.spend(signature, expiresAt);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
