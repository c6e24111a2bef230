import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { connectDatabase, migrateToLatest, type Database } from './db/connect.ts';
import { fileTransport, type MailSender, OutboxSender, senderTuning, smtpTransport } from './mail/sender.ts';
import { startBounceListener, type BounceListener } from './mail/bounces.ts';
import { SenderThread } from './mail/sender-thread.ts';
import { prepareOutgoingMail } from './services/prepare-mail.ts';
import { mailDir } from './mail/files.ts';
import { ensurePrivateDir } from './platform/private-files.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { cryptoRandom, type RandomSource } from './platform/random.ts';
import { purgeUnverifiedApplications } from './services/applications.ts';
import { purgeExpiredIdempotencyKeys } from './intake/idempotency.ts';
import { type ApplicationIntake, startIntake } from './intake/intake.ts';
import { startSqliteCheckpointer } from './intake/sqlite-checkpointer.ts';
import { seedDemoEvent } from './services/demo.ts';
import { DEFAULT_JOBS, Scheduler } from './services/scheduler.ts';
import { httpBeaconFetcher } from './services/beacon-fetch.ts';
import { drawDueDraws } from './services/draw.ts';
import type { Deps } from './services/deps.ts';
import { countUsers, createSetupLink, createUser } from './services/users.ts';

export interface Runtime {
  app: FastifyInstance;
  database: Database;
  sender: MailSender;
  intake: ApplicationIntake;
  deps: Deps;
  /** Printed once on an empty database: the link that lets the first owner set a password. */
  setupLink: string | null;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  clock?: Clock;
  random?: RandomSource;
  database?: Database;
  logger?: boolean | object;
}

/** Everything a running server needs: database (migrated), app, mail sender and periodic jobs. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const database = opts.database ?? (await connectDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  await migrateToLatest(database.db);

  const delivery = { dkim: config.mail?.dkim ?? null, bounceDomain: config.mail?.bounceDomain ?? null };
  const instanceId = `${hostname()}:${process.pid}:${random.bytes(4).toString('hex')}`;
  let logMailError = (_message: string, _rowId: string | null) => {};
  ensurePrivateDir(config.dataDir);
  if (!config.smtpUrl) ensurePrivateDir(mailDir(config.dataDir)); // where .eml files go
  // Mail goes out from a thread of its own (ADR 0004) unless a test drives time with its own clock.
  const sender: MailSender =
    config.mailThread !== false && !opts.clock
      ? new SenderThread({ options: database.options, smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, dataDir: config.dataDir, instanceId, mail: config.mail, secret: config.secret, onError: (m, id) => logMailError(m, id) })
      : new OutboxSender({
          db: database.db,
          clock,
          transport: config.smtpUrl ? smtpTransport(config.smtpUrl, config.mailFrom, delivery, senderTuning(config.mail).concurrency) : fileTransport(mailDir(config.dataDir), config.mailFrom, delivery),
          instanceId,
          ...senderTuning(config.mail),
          prepare: prepareOutgoingMail(database.db, config.secret, clock),
          onError: (err, row) => logMailError(String((err as Error)?.message ?? err), row?.id ?? null),
        });
  // Group commit (ADR 0004): one queue per database in this process, configured before anything serves.
  const intake = await startIntake(database, config.intake ?? {});
  const checkpointer = await startSqliteCheckpointer(database);
  const app = await buildApp({ config, database, clock, random, logger: opts.logger, onMailEnqueued: () => sender.kick() });
  const deps = app.deps;
  logMailError = (message, rowId) => app.log.warn({ outboxId: rowId }, `mail not sent: ${message}`);

  let setupLink: string | null = null;
  if (config.seedDemo) await seedDemoEvent(deps);
  if ((await countUsers(deps)) === 0) {
    const owner = await createUser(deps, 'system', { email: 'owner@admit.localhost', role: 'owner', name: 'Owner' });
    setupLink = await createSetupLink(deps, owner.id);
  }

  const timers: NodeJS.Timeout[] = [];
  // Expiry + waitlist promotion, scheduled reveals, data minimisation; safe with several instances (DB leases).
  // The draw job runs frozen drand draws at their round (ADR 0011).
  const fetchBeacon = httpBeaconFetcher(config.drandRelays ?? []);
  const jobs = [...DEFAULT_JOBS, { name: 'draw', everyMs: 15_000, run: (d: Deps) => drawDueDraws(d, fetchBeacon) }];
  const scheduler = new Scheduler(deps, { instanceId, jobs, onError: (err, job) => app.log.error({ err, job }, 'scheduled job failed') });
  // Inbound SMTP for delivery status notifications (ADMIT_BOUNCE_SMTP_PORT, off by default).
  let bounces: BounceListener | null = null;
  if (config.mail?.bounceSmtpPort) {
    bounces = await startBounceListener({ db: database.db, clock, port: config.mail.bounceSmtpPort, host: config.mail.bounceSmtpHost ?? '0.0.0.0', onError: (err) => app.log.warn({ err }, 'bounce not understood') });
  }
  if (config.workers) {
    sender.start();
    scheduler.start();
    const purge = () =>
      Promise.all([purgeUnverifiedApplications(deps), purgeExpiredIdempotencyKeys(database.db, clock.now().toISOString())]).catch((err) =>
        app.log.error({ err }, 'purge failed'),
      );
    timers.push(setInterval(purge, 15 * 60_000).unref());
  }

  return {
    app,
    database,
    sender,
    intake,
    deps,
    setupLink,
    /**
     * Graceful: stop accepting (requests in flight still get their answer, new ones 503), commit the last
     * batch, let the mail sender finish the step it is in (rows it claimed are sent and marked), close.
     */
    async stop() {
      for (const t of timers) clearInterval(t);
      await bounces?.close();
      await scheduler.stop();
      await app.close();
      await intake.close();
      app.log.info({ intake: intake.stats }, 'intake closed');
      await sender.stop();
      await checkpointer?.stop();
      await database.close();
    },
  };
}
