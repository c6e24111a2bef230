import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.ts';
import { normalizeEmail } from '../domain/email.ts';

export interface ApplyLimits {
  applyPerIpPerMinute: number;
  applyPerEmailPerHour: number;
}

export const DEFAULT_APPLY_LIMITS: ApplyLimits = { applyPerIpPerMinute: 30, applyPerEmailPerHour: 5 };

type Limiter = (req: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

/**
 * Rate limits for applying (API and form share the budgets): per client IP (onRequest, before the body is
 * read) and per normalised email address (after parsing). The address limit also stops anyone from using
 * the "already applied" mail to flood somebody's inbox. Counters live in @fastify/rate-limit's store: in
 * this process, or in Redis when REDIS_URL is set (src/http/plugins/security.ts). Addresses are hashed
 * before they become keys.
 */
export function applyLimits(app: FastifyInstance, limits: ApplyLimits = DEFAULT_APPLY_LIMITS) {
  const create = (app as unknown as { createRateLimit(o: object): Limiter }).createRateLimit;
  const perIp = limits.applyPerIpPerMinute
    ? create({ max: limits.applyPerIpPerMinute, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `apply-ip:${req.ip}` })
    : null;
  const perEmail = limits.applyPerEmailPerHour
    ? create({
        max: limits.applyPerEmailPerHour,
        timeWindow: 3_600_000,
        keyGenerator: (req: FastifyRequest) => `apply-email:${emailKey(req.body)}`,
      })
    : null;
  const check = async (limiter: Limiter | null, req: FastifyRequest) => {
    if (!limiter) return;
    const r = await limiter(req);
    if (!r.isAllowed && r.isExceeded) throw new AppError('rate.limited', { details: { retryAfter: Math.max(1, r.ttlInSeconds ?? 60) } });
  };
  const byIp: preHandlerAsyncHookHandler = async (req) => check(perIp, req);
  const byEmail: preHandlerAsyncHookHandler = async (req) => {
    if (emailKey(req.body)) await check(perEmail, req);
  };
  return { byIp, byEmail };
}

function emailKey(body: unknown): string {
  const email = (body as { email?: unknown } | null)?.email;
  if (typeof email !== 'string' || !email.includes('@') || email.length > 254) return '';
  return createHash('sha256').update(normalizeEmail(email)).digest('base64url').slice(0, 22);
}
