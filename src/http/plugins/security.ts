import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cryptoRandom } from '../../platform/random.ts';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import CsrfTokens from '@fastify/csrf';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';

export interface SecurityOptions {
  secret: string;
  secureCookies: boolean;
  /** Rate-limit counters shared by all instances through Redis; unset = in this process. */
  redisUrl?: string | null;
}

export default fp(async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  await app.register(cookie, { secret: opts.secret });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // The security headers are the same on every response: built once here, set with one call per request.
  const headers = securityHeaders(opts.secureCookies);
  // Callback hooks, not async ones, on every request: no promise and no extra microtask each (issue 12).
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieKey: CSRF_COOKIE, cookieOpts: csrfCookieOptions(opts.secureCookies) });
  await app.register(rateLimit, { global: false, ...(opts.redisUrl ? await redisStore(app, opts.redisUrl, opts.secret) : {}) });
});

export const CSRF_COOKIE = 'admit_csrf';
const csrfCookieOptions = (secure: boolean) => ({ path: '/', sameSite: 'lax' as const, httpOnly: true, secure, signed: true });

/**
 * `reply.generateCsrf()` for a first visit, with the new secret drawn from the pooled CSPRNG (platform/random.ts)
 * instead of the plugin's own `randomBytes` call — on the event page of a rush that call was a tenth of the
 * request (issue 12). The secret becomes the visitor's signed cookie exactly as the plugin would set it, and is
 * put on the request so the plugin derives the token from it; verification is the plugin's, unchanged.
 */
export function csrfTokenFor(req: FastifyRequest, reply: FastifyReply, secureCookies: boolean): string {
  const held = req.cookies[CSRF_COOKIE];
  const unsigned = held ? reply.unsignCookie(held) : null;
  if (unsigned?.valid && unsigned.value) return csrfTokens.create(unsigned.value);
  const secret = cryptoRandom.bytes(18).toString('base64url');
  // Signed once here; the plugin would sign it again on send if `signed` stayed on.
  reply.setCookie(CSRF_COOKIE, reply.signCookie(secret), { ...csrfCookieOptions(secureCookies), signed: false });
  return csrfTokens.create(secret);
}
/** The plugin's token scheme with the plugin's (default) options: its csrfProtection verifies these tokens. */
const csrfTokens = CsrfTokens();

/**
 * Several instances behind a load balancer share their counters in Redis. Redis trouble must not take the
 * intake down: commands fail fast (no offline queue, one retry) and the limiter then lets requests through
 * (skipOnError) — the per-instance queue bound and the database still protect the service.
 */
async function redisStore(app: FastifyInstance, url: string, secret: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { connectTimeout: 1000, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let lastWarn = 0;
  redis.on('error', (err) => {
    if (Date.now() - lastWarn < 30_000) return;
    lastWarn = Date.now();
    app.log.warn({ err }, 'redis (rate limits) unavailable; limits are not enforced until it is back');
  });
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  // Commands are not queued while disconnected, so wait (briefly) for the first connection before serving.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  // One namespace per deployment: its instances share the secret, so they share limits; another deployment (or a
  // test run) on the same Redis counts on its own.
  const deployment = createHash('sha256').update(`admit-rl:${secret}`).digest('hex').slice(0, 12);
  return { redis, skipOnError: true, nameSpace: `admit-rl:${deployment}:` };
}

/**
 * Strict CSP: scripts and styles only from our own origin, no inline script, no eval (the ALTCHA widget's
 * worker is served from 'self' too); forms may post only to us; no framing (except the embedded form, which
 * names the sites its organizer allowed: http/embed.ts). The other headers are the
 * usual hardening set (what helmet sends by default). HSTS only when served over https: secure-context-only
 * headers would break plain-http localhost.
 */
export function contentSecurityPolicy(frameAncestors = "'none'"): string {
  const csp = {
    'default-src': "'self'",
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': "'self' data: blob:",
    'media-src': "'self' blob:",
    'connect-src': "'self'",
    'worker-src': "'self' blob:",
    'font-src': "'self'",
    'object-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'self'",
    'frame-ancestors': frameAncestors,
  };
  return Object.entries(csp)
    .map(([k, v]) => `${k} ${v}`)
    .join(';');
}

export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
    ...(https ? { 'strict-transport-security': 'max-age=15552000; includeSubDomains' } : {}),
  };
}
