import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The real server (src/server.ts) in a child process; resolves when it listens, rejects if it exits first. */
export async function startServer(env: NodeJS.ProcessEnv, opts: { port?: number; spawn?: SpawnOptions; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ADMIT_CAPTCHA: 'off',
      ADMIT_SEED_DEMO: 'on',
      ADMIT_SECRET: 'fault-test-secret-0123456789abcdef0123',
      ADMIT_RATE_IP_PER_MINUTE: '0',
      ADMIT_RATE_EMAIL_PER_HOUR: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts.spawn,
  });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code, sig) => r(code ?? (sig === 'SIGKILL' ? 137 : 128))));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), opts.timeoutMs ?? 90_000);
    const check = () => {
      if (/Admit is running/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    exited.then(() => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited before listening:\n${out}`), { output: out }));
    });
  });
  return { url: `http://127.0.0.1:${port}`, proc, output: () => out, exited };
}

export const application = (email: string) => ({
  name: 'Load Tester',
  email,
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Because the rush is the moment of truth.' },
  guests: [{ name: 'Second Person', relation: 'friend' }],
});

export interface LoadResult {
  acked: string[];
  /** Sent, but no answer read (connection dropped): may or may not have been committed. */
  unknown: string[];
  refused: number;
  other: Record<number, number>;
}

/** `workers` loops POSTing unique applications until stop() or until `until` resolves. */
export function load(url: string, workers: number, prefix = randomBytes(3).toString('hex')) {
  const res: LoadResult = { acked: [], unknown: [], refused: 0, other: {} };
  let stopped = false;
  let n = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      const email = `${prefix}-${n++}@example.com`;
      try {
        const r = await fetch(`${url}/api/v1/events/launch-nyc/applications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(application(email)),
          signal: AbortSignal.timeout(10_000),
        });
        await r.arrayBuffer();
        if (r.status === 202) res.acked.push(email);
        else res.other[r.status] = (res.other[r.status] ?? 0) + 1;
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED') {
          res.refused++;
          await new Promise((r) => setTimeout(r, 20));
        } else res.unknown.push(email);
      }
    }
  });
  return {
    result: res,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return res;
    },
  };
}

/**
 * Addresses of the applications and of the verification mails matching `like`, read directly from the database
 * (the demo event also has seeded preview applicants).
 */
export async function readBack(where: { dataDir: string } | { url: string; schema: string }, like = '%@example.com'): Promise<{ emails: Set<string>; outbox: number; mailedTo: Set<string> }> {
  if ('dataDir' in where) {
    const db = new SQLite(join(where.dataDir, 'admit.sqlite'), { readonly: true });
    try {
      const emails = new Set((db.prepare('select email from applications where email like ?').all(like) as { email: string }[]).map((r) => r.email));
      const mailedTo = new Set(
        (db.prepare("select to_address from outbox where kind = 'application.verify' and to_address like ?").all(like) as { to_address: string }[]).map((r) => r.to_address),
      );
      return { emails, outbox: mailedTo.size, mailedTo };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: where.url });
  await c.connect();
  try {
    const emails = new Set((await c.query(`select email from ${where.schema}.applications where email like $1`, [like])).rows.map((r: { email: string }) => r.email));
    const mailedTo = new Set(
      (await c.query(`select to_address from ${where.schema}.outbox where kind = 'application.verify' and to_address like $1`, [like])).rows.map(
        (r: { to_address: string }) => r.to_address,
      ),
    );
    return { emails, outbox: mailedTo.size, mailedTo };
  } finally {
    await c.end();
  }
}

/** A fresh PostgreSQL schema and a DATABASE_URL whose connections use it. */
export async function pgSchema(baseUrl: string): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `f_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: baseUrl });
      await d.connect();
      await d.query(`drop schema if exists ${schema} cascade`);
      await d.end();
    },
  };
}
