/**
 * Ingest benchmark (issue 5):  npm run bench:ingest [-- --count 1000000 --concurrency 2000]
 *
 * Inserts COUNT applications through the service layer (submitApplication → group commit; validation,
 * mail rendering, duplicate detection, counters — everything but HTTP), spread over 7 days of a fake clock,
 * on SQLite in a temp dir (PostgreSQL in a fresh schema when DATABASE_URL is set), and prints the time.
 * Then, on that data, times the organizer pages through the real app: the applications list (first page and a
 * page deep in the list), a filtered page, a search, the counts by day and country, and a full streaming CSV
 * export over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connectDatabase, migrateToLatest } from '../src/db/connect.ts';
import { configureIntake } from '../src/intake/intake.ts';
import { countApplicationsByStatus, listApplications } from '../src/db/repositories/applications.ts';
import { intakeCounts } from '../src/intake/stats.ts';
import { systemClock } from '../src/platform/clock.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import { submitApplication } from '../src/services/applications.ts';
import { demoEventInput } from '../src/services/demo.ts';
import type { Deps } from '../src/services/deps.ts';
import { createEvent } from '../src/services/events.ts';
import { createUser, startSession } from '../src/services/users.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const COUNT = Number(opt('count', '1000000'));
const CONCURRENCY = Number(opt('concurrency', '2000'));
const PG_URL = process.env.DATABASE_URL || '';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Dennis', 'Frances', 'John', 'Radia', 'Ken', 'Hedy', 'Tim', 'Sophie', 'Linus', 'Katherine', 'Guido', 'Anita', 'Niklaus', 'Mary', 'James', 'Maria', 'Wei', 'Aisha', 'Carlos', 'Yuki', 'Olga', 'Kwame', 'Priya'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Ritchie', 'Allen', 'McCarthy', 'Perlman', 'Thompson', 'Lamarr', 'Wilson', 'Torvalds', 'Johnson', 'Borg', 'Wirth', 'Smith', 'Garcia', 'Müller', 'Nguyen', 'Okafor', 'Kowalski', 'Tanaka', 'Silva', 'Haddad', 'Ivanova', 'Mensah', 'Patel'];
const COUNTRIES = ['US', 'US', 'US', 'US', 'US', 'US', 'CA', 'MX', 'DE', 'GB', 'FR', 'BR', 'JP', 'IN', 'NG', 'PL'];
const WHY = 'I have followed your products since the first beta and would love to see what comes next, with the people I share them with. ';

const runId = randomBytes(3).toString('hex');
const nameOf = (r: number) => `${FIRST[r % FIRST.length]} ${LAST[(r >>> 5) % LAST.length]}-${(r >>> 10) % 97}`;

function application(n: number) {
  const r = (n * 2654435761) >>> 0;
  const guests = r % 3 === 0 ? [] : r % 3 === 1 ? [{ name: nameOf(r >>> 3), relation: 'family' }] : [{ name: nameOf(r >>> 3), relation: 'family' }, { name: nameOf(r >>> 7), relation: 'friend' }];
  return {
    name: nameOf(r),
    email: `${FIRST[(r >>> 11) % FIRST.length].toLowerCase()}.${runId}.${n}@example.com`,
    country: COUNTRIES[(r >>> 2) % COUNTRIES.length],
    locale: n % 5 === 0 ? 'de' : 'en',
    consent: true,
    guests,
    answers: { why: WHY.repeat(1 + (r % 3)), fan: r % 2 ? 'yes' : 'no' },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function time(label: string, times: number, fn: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  let info = '';
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const r = await fn();
    ms.push(performance.now() - t0);
    if (typeof r === 'string') info = r;
  }
  console.log(`  ${label.padEnd(46)} p50 ${percentile(ms, 50).toFixed(1).padStart(8)} ms   p99 ${percentile(ms, 99).toFixed(1).padStart(8)} ms  (${times}×)${info ? `  ${info}` : ''}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'admit-ingest-'));
let schema: string | null = null;
if (PG_URL) {
  schema = `ingest_${runId}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
}
const database = await connectDatabase({ url: PG_URL || null, dataDir, schema: schema ?? undefined, poolSize: 10 });
try {
  await migrateToLatest(database.db);
  const config = loadConfig({ ADMIT_DATA_DIR: dataDir, ADMIT_CAPTCHA: 'off', ADMIT_SECRET: 'ingest-secret-0123456789abcdef0123456789', LOG_LEVEL: 'warn' });
  const deps: Deps = { database, clock: systemClock, random: cryptoRandom, config };
  const start = Date.now();
  const span = 7 * 24 * 3_600_000;
  const event = await createEvent(deps, 'bench', {
    ...demoEventInput(new Date(start - 3_600_000)),
    slug: `rush-${runId}`,
    applicationsCloseAt: new Date(start + span + 24 * 3_600_000).toISOString(),
  });
  const intake = configureIntake(database, { maxQueue: CONCURRENCY * 2, maxBatch: 500, maxWaitMs: 120_000 });

  console.log(`ingest bench: ${COUNT.toLocaleString('en-US')} applications through submitApplication (group commit), ${CONCURRENCY} in flight, ${database.dialect}; node ${process.version}`);
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  let lastReport = t0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = next++; n < COUNT; n = next++) {
        const at = new Date(start + Math.floor((n / COUNT) * span));
        await submitApplication({ ...deps, clock: { now: () => at } }, event.slug, application(n));
        done++;
        const now = performance.now();
        if (now - lastReport > 15_000) {
          lastReport = now;
          console.log(`  … ${done.toLocaleString('en-US')} (${Math.round(done / ((now - t0) / 1000)).toLocaleString('en-US')}/s)`);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `ingested ${COUNT.toLocaleString('en-US')} in ${seconds.toFixed(1)} s = ${Math.round(COUNT / seconds).toLocaleString('en-US')} applications/s ` +
      `(target: 1,000,000 in < 120 s); batches ${intake.stats.batches}, largest ${intake.stats.largestBatch}, commit mean ${intake.stats.commitMs.mean} ms`,
  );

  // The organizer's pages, through the real app.
  const app = await buildApp({ config, database, clock: systemClock, random: cryptoRandom, logger: false });
  const owner = await createUser(deps, 'bench', { email: `owner-${runId}@example.com`, role: 'owner', name: 'Owner' });
  const cookie = `admit_session=${app.signCookie(await startSession(deps, owner.id))}`;
  const get = async (url: string) => {
    const r = await app.inject({ url, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode}`);
    return `${(r.body.length / 1024).toFixed(0)} KB`;
  };
  const base = `/admin/events/${event.id}/applications`;
  const deep = await database.db.selectFrom('applications').select('id').where('event_id', '=', event.id).orderBy('id').offset(Math.floor(COUNT / 2)).limit(1).executeTakeFirst();
  console.log(`organizer pages on ${COUNT.toLocaleString('en-US')} rows (p99 target < 200 ms):`);
  await time('list, first page (50 rows)', 30, () => get(base));
  await time('list, a page in the middle (keyset cursor)', 30, () => get(`${base}?after=${deep?.id ?? ''}`));
  await time('filtered: country=DE, unverified', 30, () => get(`${base}?country=DE&verified=no`));
  await time('filtered: party of 3, status submitted', 30, () => get(`${base}?party=3&status=submitted`));
  await time('search "lovelace" (LIKE, scans)', 3, () => get(`${base}?q=lovelace`));
  // The same lists without the page around them: the keyset queries alone.
  await time('  query only: first page', 30, () => listApplications(database.db, { eventId: event.id, limit: 51 }));
  await time('  query only: country=DE, unverified', 30, () => listApplications(database.db, { eventId: event.id, country: 'DE', verified: false, limit: 51 }));
  await time('  query only: counts by status (GROUP BY, as the page does)', 3, () => countApplicationsByStatus(database.db, event.id));
  await time('counts by day and country (intake counters)', 30, async () => `${(await intakeCounts(database.db, event.id)).length} groups`);
  await time('same counts by GROUP BY over the rows', 3, async () => {
    const rows = await database.db
      .selectFrom('applications')
      .select([(eb) => eb.fn('substr', ['created_at', eb.val(1), eb.val(10)]).as('day'), 'country', (eb) => eb.fn.countAll().as('n')])
      .where('event_id', '=', event.id)
      .groupBy(['day', 'country'])
      .execute();
    return `${rows.length} groups (UTC days)`;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  await time('full CSV export, streamed over HTTP', 1, async () => {
    const res = await fetch(`http://127.0.0.1:${port}${base}.csv`, { headers: { cookie } });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    return `${(lines - 1).toLocaleString('en-US')} rows (plus embedded line breaks), ${(bytes / 1e6).toFixed(0)} MB`;
  });
  await app.close();
} finally {
  await database.close();
  if (schema) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
}
