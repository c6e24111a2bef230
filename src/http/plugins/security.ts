import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';

export interface SecurityOptions {
  secret: string;
  secureCookies: boolean;
  /** Rate-limit counters shared by all instances through Redis; unset = in this process. */
  redisUrl?: string | null;
}

/**
 * Strict CSP: scripts and styles only from our own origin, no inline script, no eval
 * (the ALTCHA widget's worker is served from 'self' too). Forms may post only to us.
 */
export default fp(async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  await app.register(cookie, { secret: opts.secret });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Secure-context-only headers would break plain-http localhost; HSTS only when served over https.
    hsts: opts.secureCookies ? { maxAge: 15_552_000 } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'admit_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: opts.secureCookies, signed: true },
  });
  await app.register(rateLimit, { global: false, ...(opts.redisUrl ? await redisStore(app, opts.redisUrl) : {}) });
});

/**
 * Several instances behind a load balancer share their counters in Redis. Redis trouble must not take the
 * intake down: commands fail fast (no offline queue, one retry) and the limiter then lets requests through
 * (skipOnError) — the per-instance queue bound and the database still protect the service.
 */
async function redisStore(app: FastifyInstance, url: string) {
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
  return { redis, skipOnError: true, nameSpace: 'admit-rl:' };
}
