/**
 * Launch-rush benchmark (issue 12):  npm run bench:rush [-- options]
 *
 * An open-loop arrival rate of visitors — new visitors arrive on a clock, whether or not earlier ones are done,
 * as a real rush does (a closed loop of N connections would slow its own arrivals down and hide queueing). Each
 * visitor loads the event page (no cookies: a first visit), reads the CSRF cookie, the `_csrf` field and the
 * one-time `form_token` from it, and posts the form (captcha off in this bench; its own client address via
 * X-Forwarded-For, which the server trusts from loopback, and its own email address). The whole visit (GET +
 * POST until the 303) is one latency sample.
 *
 * The rate steps up (each step --step S seconds) until the visit's p99 passes 500 ms or any visit fails; it prints
 * every step and the highest rate that kept p99 < 500 ms with zero errors. Runs SQLite and, when DATABASE_URL is
 * set (or --pg URL), PostgreSQL.
 *
 * Options: --step S (6) --rates 25,50,… (default doubles from 25 up to 3200) --only sqlite|postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, startChild } from './lib.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt;
};
const STEP_S = Number(opt('step', '6'));
const RATES = opt('rates', '25,50,100,200,400,800,1600,3200').split(',').map(Number);
const ONLY = opt('only', '');
const PG_URL = opt('pg', process.env.DATABASE_URL || '');
const SLUG = 'launch-nyc';
const runId = randomBytes(3).toString('hex');
let seq = 0;

function field(page: string, name: string): string {
  const m = page.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!m) throw new Error(`no ${name} on the page`);
  return m[1];
}

/** One visitor: load the page, post the form. Resolves with the visit's duration (ms) or throws. */
async function visit(base: string): Promise<number> {
  const n = seq++;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const t0 = performance.now();
  const page = await fetch(`${base}/e/${SLUG}`, { headers: { 'x-forwarded-for': ip, 'accept-language': n % 3 ? 'en' : 'de' } });
  const htmlText = await page.text();
  if (page.status !== 200) throw new Error(`GET ${page.status}`);
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const body = new URLSearchParams({
    _csrf: field(htmlText, '_csrf'),
    form_token: field(htmlText, 'form_token'),
    name: `Rush Visitor ${n % 9973}`,
    email: `rush.${runId}.${n}@example.com`,
    country: n % 4 ? 'US' : 'DE',
    locale: 'en',
    guest_name_0: `Guest Person ${n % 7919}`,
    guest_relation_0: 'friend',
    answer_why: 'I would love to be there on launch day with my oldest friend.',
    answer_fan: 'yes',
    consent: 'yes',
    website: '',
  }).toString();
  const post = await fetch(`${base}/e/${SLUG}/apply`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies, 'x-forwarded-for': ip },
    body,
  });
  await post.arrayBuffer();
  if (post.status !== 303) throw new Error(`POST ${post.status}`);
  return performance.now() - t0;
}

interface Step {
  rate: number;
  done: number;
  failed: number;
  p50: number;
  p99: number;
  firstError?: string;
}

/** Starts `rate` visits per second for STEP_S seconds (in 10 ms ticks), waits for all of them. */
async function step(base: string, rate: number): Promise<Step> {
  const total = Math.round(rate * STEP_S);
  const times: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const visits: Promise<void>[] = [];
  const start = performance.now();
  let started = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; started < due; started++) {
        visits.push(
          visit(base).then(
            (ms) => void times.push(ms),
            (err: Error) => {
              failed++;
              firstError ??= err.message;
            },
          ),
        );
      }
      if (started >= total) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
  await Promise.all(visits);
  times.sort((a, b) => a - b);
  const q = (p: number) => (times.length ? Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]) : NaN);
  return { rate, done: times.length, failed, p50: q(0.5), p99: q(0.99), firstError };
}

async function rush(dialect: 'sqlite' | 'postgres') {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-bench-rush-'));
  let pgSchema: string | null = null;
  let databaseUrl = '';
  if (dialect === 'postgres') {
    pgSchema = `benchrush_${runId}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${pgSchema}`);
    await c.end();
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${pgSchema}`);
    databaseUrl = u.toString();
  }
  const child = await startChild(['--import', 'tsx', 'src/server.ts'], {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ADMIT_DATA_DIR: dataDir,
    ADMIT_CAPTCHA: 'off',
    ADMIT_SEED_DEMO: 'on',
    ADMIT_SECRET: 'bench-secret-0123456789abcdef0123456789',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
  }, /Admit is running/, 120_000);
  const base = `http://127.0.0.1:${port}`;
  let best: Step | null = null;
  try {
    await step(base, 10); // warm-up: JIT, caches, connections
    for (const rate of RATES) {
      const s = step(base, rate);
      const r = await s;
      const ok = r.failed === 0 && r.p99 < 500;
      console.log(
        `  ${dialect.padEnd(8)} ${String(rate).padStart(5)} visits/s: ${r.done} visits, p50 ${r.p50} ms, p99 ${r.p99} ms, failed ${r.failed}${r.firstError ? ` (${r.firstError})` : ''} ${ok ? '✓' : '✗'}`,
      );
      if (!ok) break;
      best = r;
    }
  } finally {
    await child.stop('SIGTERM');
    await child.stop('SIGKILL');
    if (pgSchema) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${pgSchema} cascade`);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`${dialect}: highest arrival rate with visit p99 < 500 ms and zero errors: ${best ? `${best.rate} visits/s (p99 ${best.p99} ms)` : 'none of the steps'}`);
}

console.log(`rush bench: open loop, steps of ${STEP_S} s, rates ${RATES.join(', ')} visits/s (GET page + POST form each); node ${process.version}`);
if (ONLY !== 'postgres') await rush('sqlite');
if (ONLY !== 'sqlite') {
  if (PG_URL) await rush('postgres');
  else console.log('postgres: skipped (set DATABASE_URL or --pg postgres://…)');
}
