import embedScriptRoutes from './http/routes/public/embed-script.ts';
import brandAdminRoutes from './http/routes/admin/brand.ts';
import brandMediaRoutes from './http/routes/public/brand-media.ts';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import compress from '@fastify/compress';
import { constants as zlibConstants } from 'node:zlib';
import type { Config } from './config.ts';
import { SECURITY_DEFAULTS } from './config-security.ts';
import { redactingLoggerOptions } from './platform/log-redaction.ts';
import type { Database } from './db/connect.ts';
import type { Clock } from './platform/clock.ts';
import type { RandomSource } from './platform/random.ts';
import type { Deps } from './services/deps.ts';
import securityPlugin from './http/plugins/security.ts';
import localePlugin from './http/plugins/locale.ts';
import authPlugin from './http/plugins/auth.ts';
import { registerErrorHandling } from './http/plugins/errors.ts';
import { altchaCaptcha, type Captcha } from './http/captcha.ts';
import { databaseSpentChallenges, redisSpentChallenges } from './http/captcha-spent.ts';
import assetRoutes from './http/routes/assets.ts';
import healthRoutes from './http/routes/health.ts';
import apiEventRoutes from './http/routes/api/events.ts';
import apiSelectionRoutes from './http/routes/api/selection.ts';
import publicApplicationRoutes from './http/routes/public/applications.ts';
import homeRoutes from './http/routes/public/home.ts';
import publicDrawRoutes from './http/routes/public/draw.ts';
import adminRoutes from './http/routes/admin/index.ts';
import publicOfferRoutes from './http/routes/public/offer.ts';
import publicTicketRoutes from './http/routes/public/tickets.ts';
import unsubscribeRoutes from './http/routes/public/unsubscribe.ts';
import checkinRoutes from './http/routes/checkin/index.ts';
import doorRoutes from './http/routes/door/index.ts';
import wellKnownRoutes from './http/routes/well-known.ts';

export interface AppOptions {
  config: Config;
  database: Database;
  clock: Clock;
  random: RandomSource;
  logger?: boolean | object;
  /** Called when a committed change enqueued mail (the sender wakes up). */
  onMailEnqueued?: () => void;
  /** Sees every route as it is added (tests enumerate the organizer routes for the permission matrix). */
  onRoute?: (route: RouteOptions) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: Deps;
  }
}

/** Builds the app without listening (fastify/demo habit): tests call app.inject(). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const timeouts = { ...SECURITY_DEFAULTS, ...config.security };
  const app = Fastify({
    // Tokens, addresses and names never reach a log line (platform/log-redaction.ts).
    logger: redactingLoggerOptions(opts.logger),
    // Slow or idle clients must not hold sockets (slowloris): headers, the whole request and idle keep-alive each
    // have a deadline. Node checks the first two only every connectionsCheckingInterval (default 30 s), so check
    // at a quarter of the shorter one; connectionTimeout closes a socket on which nothing at all moves.
    connectionTimeout: timeouts.requestTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4)),
    },
    trustProxy: config.trustProxy ?? true,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
  });
  const deps: Deps = {
    database: opts.database,
    clock: opts.clock,
    random: opts.random,
    config,
    afterCommit: { mailEnqueued: () => opts.onMailEnqueued?.() },
  };
  app.decorate('deps', deps);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  const captcha: Captcha | null = config.captcha ? await sharedCaptcha(app, config, opts.database, opts.clock) : null;

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Admit API',
        version: '1.0.0',
        description: 'Application-based events: apply, verify, draw. Errors are { error: { code, message, fields? } } with stable codes.',
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token from `admit token create`' } } },
    },
    hideUntagged: true,
  });
  // Brotli or gzip for every answer over 1 KB that is not compressed already (the public event page and the
  // assets come precompressed: http/event-page-cache.ts, routes/assets.ts). Quality 4 on the fly: most of
  // Brotli's gain for a fraction of the CPU of its default (11).
  await app.register(compress, {
    global: true,
    encodings: ['br', 'gzip'],
    threshold: 1024,
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(securityPlugin, { secret: config.secret, secureCookies: config.publicUrl.startsWith('https://'), redisUrl: config.redisUrl });
  await app.register(localePlugin);
  await app.register(authPlugin, { deps });
  registerErrorHandling(app);

  await app.register(assetRoutes);
  await app.register(healthRoutes, { deps });
  await app.register(apiEventRoutes, { deps, captcha });
  await app.register(apiSelectionRoutes, { deps });
  await app.register(homeRoutes, { deps });
  await app.register(brandMediaRoutes, { deps });
  await app.register(brandAdminRoutes, { deps });
  await app.register(embedScriptRoutes);
  await app.register(publicApplicationRoutes, { deps, captcha });
  await app.register(publicDrawRoutes, { deps });
  await app.register(adminRoutes, { deps });
  await app.register(publicOfferRoutes, { deps });
  await app.register(publicTicketRoutes, { deps });
  await app.register(unsubscribeRoutes, { deps });
  await app.register(checkinRoutes, { deps });
  await app.register(doorRoutes, { deps });
  await app.register(wellKnownRoutes, { clock: opts.clock, config });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The captcha with its memory of solved challenges shared by all instances: Redis when configured, else the database. */
async function sharedCaptcha(app: FastifyInstance, config: Config, database: Database, clock: Clock): Promise<Captcha> {
  const now = () => clock.now();
  const inDb = databaseSpentChallenges(database.db, now);
  const spent = config.redisUrl ? await redisSpentChallenges(config.redisUrl, inDb, app.log) : inDb;
  app.addHook('onClose', () => spent.close());
  return altchaCaptcha({ secret: config.secret, cost: config.captchaCost, now, spent });
}
