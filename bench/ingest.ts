/**
 * Ingest benchmark (issue 5):  npm run bench:ingest [-- --count 1000000 --concurrency 2000] [-- --fill sql]
 *
 * Inserts COUNT applications through the service layer (submitApplication → group commit; validation,
 * mail rendering, duplicate detection, counters — everything but HTTP), spread over 7 days of a fake clock,
 * on SQLite in a temp dir (PostgreSQL in a fresh schema when DATABASE_URL is set), and prints the time.
 * Then, on that data, times the organizer pages through the real app: the applications list (first page and a
 * page deep in the list), a filtered page, a search, the counts by day and country, and a full streaming CSV
 * export over HTTP.
 *
 * --fill sql skips the service layer: it bulk-inserts the same kind of applications (names, countries,
 * parties, answers; ~10 % with unconfirmed email, ~4 % withdrawn, 2 % flagged) straight into the table,
 * with intake_counts consistent with them (the status/country counters follow by trigger). It does NOT
 * measure intake; it is for timing the organizer's pages on a million rows in ~a minute instead of ~5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connectDatabase, migrateToLatest } from '../src/db/connect.ts';
import { startIntake } from '../src/intake/intake.ts';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { countApplicationsByStatus, listApplicationPage, recountApplications } from '../src/db/repositories/applications.ts';
import { SCAN_LIMIT } from '../src/http/routes/admin/applications.ts';
import { dayInZone, intakeCounts } from '../src/intake/stats.ts';
import { hashToken, newId } from '../src/platform/random.ts';
import type { Database } from '../src/db/connect.ts';
import type { Event } from '../src/domain/event.ts';
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
const FILL = opt('fill', 'service');
if (FILL !== 'service' && FILL !== 'sql') throw new Error('--fill service|sql');
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

/**
 * --fill sql: COUNT applications written straight into the tables (no validation, mail, audit, review keys),
 * in id order over the span, plus intake_counts for them. SQLite: prepared statements on a second connection;
 * PostgreSQL: INSERT … SELECT FROM unnest(arrays) in chunks of 10,000.
 */
async function fillSql(database: Database, dataDir: string, event: Event, start: number, span: number): Promise<void> {
  const cols = ['id', 'event_id', 'status', 'name', 'email', 'email_normalized', 'country', 'locale', 'party_size', 'guests', 'answers', 'consent_at', 'token_hash', 'verified', 'created_at', 'updated_at', 'verified_at', 'withdrawn_at'] as const;
  const counts = new Map<string, { event_id: string; day: string; country: string; shard: number; received: number; people: number }>();
  let prevId = '';
  const row = (n: number) => {
    const a = application(n);
    const r = (n * 2654435761) >>> 0;
    const at = new Date(start + Math.floor((n / COUNT) * span));
    const iso = at.toISOString();
    const later = new Date(at.getTime() + 600_000).toISOString();
    const u = (r >>> 13) % 100;
    const verified = u >= 10;
    const withdrawn = u >= 10 && u < 14;
    const party = 1 + a.guests.length;
    const day = dayInZone(at, event.timezone);
    const k = `${day}|${a.country}`;
    const c = counts.get(k) ?? { event_id: event.id, day, country: a.country, shard: 0, received: 0, people: 0 };
    c.received++;
    c.people += party;
    counts.set(k, c);
    const id = newId(at, cryptoRandom);
    const flag = n % 50 === 49 ? { application_id: id, kind: 'possible_duplicate' as const, event_id: event.id, related_id: prevId, reason: 'p', created_at: iso } : null;
    prevId = id;
    const values = [id, event.id, withdrawn ? 'withdrawn' : 'submitted', a.name, a.email, a.email.toLowerCase(), a.country, a.locale, party, JSON.stringify(a.guests), JSON.stringify(a.answers), iso, hashToken(`${runId}:${n}`), verified ? 1 : 0, iso, withdrawn ? later : iso, verified ? later : null, withdrawn ? later : null];
    return { values, flag };
  };
  const CHUNK = 10_000;
  const t0 = performance.now();
  if (database.dialect === 'sqlite') {
    const s = new SQLite(join(dataDir, 'admit.sqlite'));
    s.pragma('busy_timeout = 5000');
    const ins = s.prepare(`insert into applications (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
    const flagIns = s.prepare('insert into application_flags (application_id, kind, event_id, related_id, reason, created_at) values (?, ?, ?, ?, ?, ?)');
    const chunk = s.transaction((from: number, to: number) => {
      for (let n = from; n < to; n++) {
        const { values, flag } = row(n);
        ins.run(values);
        if (flag) flagIns.run(Object.values(flag));
      }
    });
    for (let n = 0; n < COUNT; n += CHUNK) chunk(n, Math.min(COUNT, n + CHUNK));
    s.close();
  } else {
    const types = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'int', 'text', 'text', 'text', 'text'];
    for (let n = 0; n < COUNT; n += CHUNK) {
      const arrays: unknown[][] = cols.map(() => []);
      const flags = [];
      for (let m = n; m < Math.min(COUNT, n + CHUNK); m++) {
        const { values, flag } = row(m);
        values.forEach((v, i) => arrays[i].push(v));
        if (flag) flags.push(flag);
      }
      await sql`insert into applications (${sql.join(cols.map((c) => sql.ref(c)))})
        select * from unnest(${sql.join(arrays.map((a, i) => sql`${a}::${sql.raw(types[i])}[]`))})`.execute(database.db);
      if (flags.length) await database.db.insertInto('application_flags').values(flags).execute();
    }
  }
  await database.db.insertInto('intake_counts').values([...counts.values()]).execute();
  if (database.dialect === 'sqlite') await sql`analyze`.execute(database.db);
  else await sql`vacuum analyze applications`.execute(database.db);
  console.log(`filled ${COUNT.toLocaleString('en-US')} applications by SQL in ${((performance.now() - t0) / 1000).toFixed(1)} s (not the service layer)`);
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
  if (FILL === 'sql') await fillSql(database, dataDir, event, start, span);
  else {
    // As the server runs it: on SQLite the batches are written by the writer thread.
    const intake = await startIntake(database, { maxQueue: CONCURRENCY * 2, maxBatch: 500, maxWaitMs: 120_000 });

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
    await intake.close();
    // What autovacuum / a periodic ANALYZE does after a bulk load anyway; done here so the page timings below do
    // not depend on whether it has run yet (PostgreSQL's index-only scans need the visibility map).
    const v0 = performance.now();
    if (database.dialect === 'sqlite') await sql`analyze`.execute(database.db);
    else await sql`vacuum analyze applications`.execute(database.db);
    console.log(`${database.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE applications'} after the load: ${((performance.now() - v0) / 1000).toFixed(1)} s`);

  }
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
  const exact = await recountApplications(database.db, event.id);
  console.log(`organizer pages on ${COUNT.toLocaleString('en-US')} rows (p99 target < 200 ms), ${exact.length} status/country groups:`);
  const N = 100;
  await time('list, first page (50 rows)', N, () => get(base));
  await time('list, a page in the middle (keyset cursor)', N, () => get(`${base}?after=${deep?.id ?? ''}`));
  await time('filtered: status withdrawn', N, () => get(`${base}?status=withdrawn`));
  await time('filtered: submitted, email not confirmed', N, () => get(`${base}?status=submitted&verified=no`));
  await time('filtered: country=PL', N, () => get(`${base}?country=PL`));
  await time('filtered: country=DE, unverified (bounded scan)', N, () => get(`${base}?country=DE&verified=no`));
  await time('filtered: party of 3, status submitted (bounded)', N, () => get(`${base}?party=3&status=submitted`));
  await time('search "lovelace" (bounded scan)', N, () => get(`${base}?q=lovelace`));
  await time('search, no match (bounded scan)', N, () => get(`${base}?q=zzzzzz`));
  await time('search, no match, deep cursor (bounded scan)', N, () => get(`${base}?q=zzzzzz&after=${deep?.id ?? ''}`));
  // The same lists without the page around them.
  await time('  query only: first page', N, () => listApplicationPage(database.db, { eventId: event.id, limit: 50, scanLimit: SCAN_LIMIT }));
  await time('  query only: country=DE, unverified', N, () => listApplicationPage(database.db, { eventId: event.id, country: 'DE', verified: false, limit: 50, scanLimit: SCAN_LIMIT }));
  await time('  query only: counts by status (counters)', N, () => countApplicationsByStatus(database.db, event.id));
  await time('  for comparison: the GROUP BY the page used to run', 3, () => recountApplications(database.db, event.id));
  await time('counts by day and country (intake counters)', N, async () => `${(await intakeCounts(database.db, event.id)).length} groups`);
  await time('dashboard /admin (counts per event)', N, () => get('/admin'));
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
