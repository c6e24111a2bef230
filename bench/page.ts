/**
 * Read-path benchmark (issue 12):  npm run bench:page [-- options]
 *
 * Starts the real server (NODE_ENV=production, SQLite in a temp dir or PostgreSQL when DATABASE_URL is set, the
 * demo event, captcha on) and, in the same run, a bare Fastify server answering a static body of exactly the same
 * size. Drives both with the same generator and the same requests:
 *   - GET /e/launch-nyc with a mix of Accept-Language headers (en, de, none) and a different client address per
 *     request (X-Forwarded-For: the app trusts it from loopback, ADMIT_TRUST_PROXY's default), no cookies — every
 *     request is a first visit that needs its own CSRF secret and form token;
 *   - GET /api/v1/captcha/challenge (a fresh signed challenge per request).
 * Prints requests/s, p50/p99 and the ratio admit/static for each.
 *
 * Options: --duration S (8) --warmup S (2) --connections N (100) --cpu-prof (profile the server during the page run)
 *          --encoding br|gzip (send Accept-Encoding; the static server then answers a same-size precompressed body)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, startChild, summarizeCpuProfiles } from './lib.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt;
};
const has = (name: string) => argv.includes(`--${name}`);
const DURATION = Number(opt('duration', '8'));
const WARMUP = Number(opt('warmup', '2'));
const CONNECTIONS = Number(opt('connections', '100'));
const ENCODING = opt('encoding', '');
const PG_URL = process.env.DATABASE_URL || '';
const SLUG = 'launch-nyc';
const LANGS = ['en-US,en;q=0.9', 'de-DE,de;q=0.9,en;q=0.5', '', 'de', 'fr-FR,fr;q=0.9'];

interface Run {
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  bytes: number;
}

let seq = 0;
function visitorHeaders(): Record<string, string> {
  const n = seq++;
  const lang = LANGS[n % LANGS.length];
  return {
    'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    ...(lang ? { 'accept-language': lang } : {}),
    ...(ENCODING ? { 'accept-encoding': ENCODING } : {}),
  };
}

async function cannon(url: string, path: string, seconds: number): Promise<Run> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'GET', path, setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: visitorHeaders() }) }],
  });
  return {
    rps: result['2xx'] / (result.duration || seconds),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytes: result.throughput.total / Math.max(1, result.requests.total),
  };
}

const STATIC = `
import Fastify from 'fastify';
const app = Fastify();
const size = Number(process.env.SIZE);
const page = Buffer.alloc(size, 'a');
const json = Buffer.from(JSON.stringify({ pad: 'a'.repeat(Math.max(0, Number(process.env.JSON_SIZE) - 10)) }));
app.get('/page', async (req, reply) => reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page));
app.get('/json', async (req, reply) => reply.header('Cache-Control', 'no-store').type('application/json').send(json));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('static ready');
`;

async function measure(url: string, path: string): Promise<Run> {
  await cannon(url, path, WARMUP);
  return cannon(url, path, DURATION);
}

async function startAdmit() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-bench-page-'));
  let pgSchema: string | null = null;
  let databaseUrl = '';
  if (PG_URL) {
    pgSchema = `benchpage_${randomBytes(3).toString('hex')}`;
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
    ADMIT_CAPTCHA: 'on',
    ADMIT_SEED_DEMO: 'on',
    ADMIT_SECRET: 'bench-secret-0123456789abcdef0123456789',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    ADMIT_PROFILE_DIR: join(dataDir, 'prof'),
  };
  const args = has('cpu-prof') ? ['--import', 'tsx', '--import', './bench/profile-hook.ts', 'src/server.ts'] : ['--import', 'tsx', 'src/server.ts'];
  const child = await startChild(args, env, /Admit is running/, 120_000);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    profDir: join(dataDir, 'prof'),
    async cleanup() {
      await child.stop('SIGTERM');
      await child.stop('SIGKILL');
      if (pgSchema) {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop schema if exists ${pgSchema} cascade`);
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const fmt = (r: Run) =>
  `${Math.round(r.rps).toLocaleString('en-US').padStart(7)}/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ` +
  `~${Math.round(r.bytes)} B/answer  non-2xx ${r.non2xx}  errors ${r.errors}`;

console.log(
  `page bench: ${CONNECTIONS} connections, ${DURATION} s (+${WARMUP} s warm-up) each, ${PG_URL ? 'PostgreSQL' : 'SQLite'}, ` +
    `Accept-Encoding ${ENCODING || 'none'}; node ${process.version}`,
);
const admit = await startAdmit();
try {
  // The sizes the static server must match: one answer of each, as the generator gets them.
  const pageRes = await fetch(`${admit.url}/e/${SLUG}`, { headers: { 'accept-language': 'en', ...(ENCODING ? { 'accept-encoding': ENCODING } : {}) } });
  const pageSize = (await pageRes.arrayBuffer()).byteLength;
  const challengeSize = (await (await fetch(`${admit.url}/api/v1/captcha/challenge`)).arrayBuffer()).byteLength;
  if (pageRes.status !== 200) throw new Error(`GET /e/${SLUG} answered ${pageRes.status}`);
  const port = await freePort();
  const stat = await startChild(['--input-type=module', '-e', STATIC], { ...process.env, PORT: String(port), SIZE: String(pageSize), JSON_SIZE: String(challengeSize), NODE_ENV: 'production' }, /static ready/);
  try {
    const staticUrl = `http://127.0.0.1:${port}`;
    console.log(`event page ${pageSize} B${ENCODING ? ` (${pageRes.headers.get('content-encoding') ?? 'not encoded'})` : ''}, challenge ${challengeSize} B`);
    const sPage = await measure(staticUrl, '/page');
    console.log(`static page (same size)      ${fmt(sPage)}`);
    if (has('cpu-prof')) {
      await cannon(admit.url, `/e/${SLUG}`, WARMUP);
      admit.child.proc.kill('SIGUSR2');
    }
    const aPage = await measure(admit.url, `/e/${SLUG}`);
    if (has('cpu-prof')) {
      admit.child.proc.kill('SIGUSR2');
      for (let i = 0; i < 100 && !admit.child.output().includes('profile written'); i++) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`admit event page             ${fmt(aPage)}`);
    const sJson = await measure(staticUrl, '/json');
    console.log(`static JSON (same size)      ${fmt(sJson)}`);
    const aChallenge = await measure(admit.url, '/api/v1/captcha/challenge');
    console.log(`admit captcha challenge      ${fmt(aChallenge)}`);
    console.log(
      `ratio event page/static ${(aPage.rps / sPage.rps).toFixed(2)} (target ≥ 0.5, p99 ${aPage.p99} ms, target < 50 ms); ` +
        `ratio challenge/static ${(aChallenge.rps / sJson.rps).toFixed(2)} (target ≥ 0.5)`,
    );
    if (has('cpu-prof')) console.log(`server CPU profile (event page run):\n${summarizeCpuProfiles(admit.profDir, 40)}`);
  } finally {
    await stat.stop('SIGKILL');
  }
} finally {
  await admit.cleanup();
}
