/**
 * Intake benchmark (issue 5):  npm run bench:intake [-- options]
 *
 * Starts the real server as a child process (NODE_ENV=production, captcha off, SQLite in a temp dir, or
 * PostgreSQL in a fresh schema when DATABASE_URL is set), drives POST /api/v1/events/launch-nyc/applications
 * with ~1 KB bodies (2 guests, answers; a unique address and client IP per request, so rate limits are in
 * the path but not hit) at 100 connections for a fixed time with autocannon, then stops it with SIGTERM and
 * counts rows. In the same run: a bare Fastify hello-world (child process, same generator) and the ratio.
 *
 * Options: --duration S (8) --warmup S (2) --connections N (100) --log LEVEL (warn) --workers on|off (on)
 *          --only admit|hello  --cpu-prof (profile the server; prints where its time goes)
 *          --per-request (ADMIT_INTAKE_BATCH=1: one transaction per request, for comparison)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { freePort, startChild, summarizeCpuProfiles, ROOT } from './lib.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt;
};
const has = (name: string) => argv.includes(`--${name}`);
const DURATION = Number(opt('duration', '8'));
const WARMUP = Number(opt('warmup', '2'));
const CONNECTIONS = Number(opt('connections', '100'));
const LOG = opt('log', 'warn');
const WORKERS = opt('workers', 'on');
const ONLY = opt('only', '');
const PG_URL = process.env.DATABASE_URL || '';
const SLUG = 'launch-nyc';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Dennis', 'Frances', 'John', 'Radia', 'Ken', 'Hedy', 'Tim', 'Sophie', 'Linus', 'Katherine', 'Guido', 'Anita', 'Niklaus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Ritchie', 'Allen', 'McCarthy', 'Perlman', 'Thompson', 'Lamarr', 'Berners-Lee', 'Wilson', 'Torvalds', 'Johnson', 'van Rossum', 'Borg', 'Wirth'];
const COUNTRIES = ['US', 'US', 'US', 'US', 'US', 'US', 'CA', 'MX', 'DE', 'GB', 'FR', 'BR', 'JP', 'IN'];
const WHY =
  'I have followed your products since the very first beta and I would love to see what comes next in person. ' +
  'My sister and my oldest friend use your tools every day at work, and the three of us have talked about this launch for weeks. ' +
  'We would travel to New York for it, meet the team, ask a few questions about accessibility and offline use, and share what we ' +
  'learn with our local user group afterwards. Thank you for running a fair draw instead of first come, first served.';

const runId = randomBytes(3).toString('hex');
let seq = 0;
const pick = <T>(xs: T[], n: number) => xs[n % xs.length];

/** A realistic application of about 1 KB; every call a new address and a new client IP. */
function applicationBody(): { body: string; ip: string; email: string } {
  const n = seq++;
  const r = (n * 2654435761) >>> 0;
  const email = `${pick(FIRST, r >>> 10).toLowerCase()}.${runId}.${n}@example.com`;
  // Names collide about as often as real ones do in a crowd of this size, not on every request.
  const name = (x: number) => `${pick(FIRST, x)} ${pick(LAST, x >>> 5)}-${(x >>> 10) % 97}`;
  const body = JSON.stringify({
    name: name(r),
    email,
    country: pick(COUNTRIES, r >>> 3),
    locale: n % 5 === 0 ? 'de' : 'en',
    consent: true,
    guests: [
      { name: name(r >>> 3), relation: 'family' },
      { name: name(r >>> 7), relation: 'friend' },
    ],
    answers: { why: WHY, fan: n % 3 ? 'yes' : 'no' },
  });
  return { body, email, ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
}

interface Run {
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
  duration: number;
}

/** Addresses whose application got a 2xx, as the generator saw it. */
const acknowledged: string[] = [];

async function cannon(url: string, seconds: number, post: boolean, record = true): Promise<Run> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(post
      ? {
          requests: [
            {
              method: 'POST',
              path: `/api/v1/events/${SLUG}/applications`,
              setupRequest: (req: Record<string, unknown>, context: { email?: string }) => {
                const { body, ip, email } = applicationBody();
                context.email = email;
                return { ...req, body, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip } };
              },
              onResponse: (status: number, _body: string, context: { email?: string }) => {
                if (record && status >= 200 && status < 300 && context.email) acknowledged.push(context.email);
              },
            },
          ],
        }
      : {}),
  });
  const ok = result['2xx'];
  return {
    rps: ok / (result.duration || seconds),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    duration: result.duration,
  };
}

const HELLO = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
// The same requests as the intake gets (1 KB JSON, parsed), answered at once: the baseline for the ratio.
app.post('/api/v1/events/:slug/applications', async (req, reply) => reply.code(202).send({ id: 'hello', status: 'pending_verification' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('hello ready');
`;

/** Bare Fastify, driven by the same generator: GET / and, separately, the same 1 KB POSTs as the intake. */
async function benchHello(): Promise<{ get: Run; post: Run }> {
  const port = await freePort();
  const child = await startChild(['--input-type=module', '-e', HELLO], { ...process.env, PORT: String(port), NODE_ENV: 'production' }, /hello ready/);
  try {
    await cannon(`http://127.0.0.1:${port}/`, WARMUP, false);
    const get = await cannon(`http://127.0.0.1:${port}/`, DURATION, false);
    await cannon(`http://127.0.0.1:${port}/`, WARMUP, true, false);
    const post = await cannon(`http://127.0.0.1:${port}/`, DURATION, true, false);
    return { get, post };
  } finally {
    await child.stop();
  }
}

interface Rows {
  applications: number;
  outbox: number;
  /** Mails already sent when the server stopped (the rest wait in the outbox, committed). */
  sent: number;
  flags: number;
  emails: Set<string>;
}

async function countRows(dataDir: string, pgSchema: string | null): Promise<Rows> {
  if (pgSchema) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const q = async (t: string) => Number((await c.query(`select count(*) as n from ${pgSchema}.${t} where ${t === 'outbox' ? 'to_address' : 'email'} like $1`, [`%.${runId}.%`])).rows[0].n);
      const emails = new Set((await c.query(`select email from ${pgSchema}.applications where email like $1`, [`%.${runId}.%`])).rows.map((r: { email: string }) => r.email));
      const flags = Number((await c.query(`select count(*) as n from ${pgSchema}.application_flags`)).rows[0].n);
      const sent = Number((await c.query(`select count(*) as n from ${pgSchema}.outbox where status = 'sent' and to_address like $1`, [`%.${runId}.%`])).rows[0].n);
      return { applications: await q('applications'), outbox: await q('outbox'), sent, flags, emails };
    } finally {
      await c.end();
    }
  }
  const db = new SQLite(join(dataDir, 'admit.sqlite'), { readonly: true });
  try {
    const q = (t: string) => (db.prepare(`select count(*) as n from ${t} where ${t === 'outbox' ? 'to_address' : 'email'} like ?`).get(`%.${runId}.%`) as { n: number }).n;
    const emails = new Set((db.prepare('select email from applications where email like ?').all(`%.${runId}.%`) as { email: string }[]).map((r) => r.email));
    const flags = (db.prepare('select count(*) as n from application_flags').get() as { n: number }).n;
    const sent = (db.prepare("select count(*) as n from outbox where status = 'sent' and to_address like ?").get(`%.${runId}.%`) as { n: number }).n;
    return { applications: q('applications'), outbox: q('outbox'), sent, flags, emails };
  } finally {
    db.close();
  }
}

async function benchAdmit(): Promise<{ run: Run; warm: Run; rows: Rows; profile: string | null }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-bench-'));
  const profDir = join(dataDir, 'prof');
  let pgSchema: string | null = null;
  let databaseUrl = '';
  if (PG_URL) {
    pgSchema = `bench_${runId}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${pgSchema}`);
    await c.end();
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${pgSchema}`);
    databaseUrl = u.toString();
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ADMIT_DATA_DIR: dataDir,
    ADMIT_CAPTCHA: 'off',
    ADMIT_SEED_DEMO: 'on',
    ADMIT_WORKERS: WORKERS,
    ADMIT_SECRET: 'bench-secret-0123456789abcdef0123456789',
    LOG_LEVEL: LOG,
    DATABASE_URL: databaseUrl,
    ...(has('per-request') ? { ADMIT_INTAKE_BATCH: '1' } : {}),
  };
  const nodeArgs = [...(has('cpu-prof') ? ['--import', 'tsx', '--import', './bench/profile-hook.ts'] : ['--import', 'tsx']), 'src/server.ts'];
  if (has('cpu-prof')) env.ADMIT_PROFILE_DIR = profDir;
  const child = await startChild(nodeArgs, env, /Admit is running/);
  try {
    const url = `http://127.0.0.1:${port}`;
    const warm = await cannon(url, WARMUP, true);
    if (has('cpu-prof')) child.proc.kill('SIGUSR2');
    const run = await cannon(url, DURATION, true);
    if (has('cpu-prof')) {
      child.proc.kill('SIGUSR2');
      for (let i = 0; i < 100 && !child.output().includes('profile written'); i++) await new Promise((r) => setTimeout(r, 100));
    }
    const code = await child.stop('SIGTERM');
    if (code !== 0) console.error(`server exited with ${code}:\n${child.output().slice(-3000)}`);
    const rows = await countRows(dataDir, pgSchema);
    const stats = child.output().match(/"intake":(\{.*?\}\}),"msg":"intake closed"/);
    if (stats) console.log(`intake stats at shutdown: ${stats[1]}`);
    const profile = has('cpu-prof') ? summarizeCpuProfiles(profDir, 60) : null;
    return { run, warm, rows, profile };
  } finally {
    await child.stop('SIGKILL');
    if (pgSchema) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${pgSchema} cascade`);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (r: Run) =>
  `${Math.round(r.rps).toLocaleString('en-US').padStart(7)}/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  max ${r.max} ms  ` +
  `2xx ${r.ok}  non-2xx ${r.non2xx}  errors ${r.errors} (timeouts ${r.timeouts})`;

console.log(
  `intake bench: ${CONNECTIONS} connections, ${DURATION} s (+${WARMUP} s warm-up), ${PG_URL ? 'PostgreSQL' : 'SQLite (WAL, synchronous=FULL)'}, ` +
    `LOG_LEVEL=${LOG}, workers ${WORKERS}${has('per-request') ? ', ONE TRANSACTION PER REQUEST' : ''}; node ${process.version}`,
);
const hello = ONLY === 'admit' ? null : await benchHello();
if (hello) {
  console.log(`hello-world GET /      ${fmt(hello.get)}`);
  console.log(`hello-world same POSTs ${fmt(hello.post)}`);
}
if (ONLY !== 'hello') {
  const { run, warm, rows, profile } = await benchAdmit();
  console.log(`admit applications     ${fmt(run)}`);
  const acked = acknowledged.length;
  if (acked !== run.ok + warm.ok) console.log(`(autocannon counted ${run.ok + warm.ok} 2xx; its onResponse saw ${acked})`);
  const missing = acknowledged.filter((e) => !rows.emails.has(e)).length;
  // autocannon stops at its deadline without reading the answers still in flight (at most one per
  // connection per run); the server committed those too, so they are rows nobody was told about yet.
  const unread = rows.applications - acked;
  console.log(
    `database (this run's addresses): ${rows.applications} applications, ${rows.outbox} outbox mails (${rows.sent} sent by the end), ${rows.flags} review flags (all); acknowledged (2xx seen, warm-up included): ${acked}; ` +
      (missing === 0 ? 'every acknowledged application is in the database ✓' : `${missing} ACKNOWLEDGED BUT MISSING ✗`) +
      (unread === 0 ? '; rows == acknowledged ✓' : `; rows − acknowledged = ${unread} (committed; the generator stopped before it read those answers)`),
  );
  if (hello) {
    const target = PG_URL ? { ratio: 0.3, p99: 100 } : { ratio: 0.4, p99: 50 };
    console.log(
      `ratio admit/hello-world (same POSTs): ${(run.rps / hello.post.rps).toFixed(2)} (target ≥ ${target.ratio}); ` +
        `ratio admit/hello-world (GET /): ${(run.rps / hello.get.rps).toFixed(3)}; p99 ${run.p99} ms (target < ${target.p99} ms); ` +
        `errors ${run.errors + run.non2xx}`,
    );
  }
  if (profile) console.log(`server CPU profile (whole run):\n${profile}`);
}
void ROOT;
