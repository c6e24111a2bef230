/**
 * Mail benchmark (issue 13):  npm run bench:mail [-- options]
 *
 * The real server (child process, SQLite in a temp dir, or PostgreSQL in a fresh schema when DATABASE_URL is set)
 * sends N queued mails (organizer-message rows, as one message to N recipients is queued: one transaction) to an
 * SMTP sink in another child process over real TCP. Meanwhile autocannon reads the event page in windows of a few
 * seconds. Prints mails/s, enqueue→delivery p50/p99, the server's event-loop delay while sending, and the page p99
 * idle and while sending.
 *
 * Options: --mails N (100000) --rate R (the shipped ADMIT_MAIL_RATE default; 0 = unthrottled) --concurrency C
 *          --connections N (10, page readers) --window S (5)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, startChild, ROOT } from './lib.ts';
import { connectDatabase } from '../src/db/connect.ts';
import { outboxRow } from '../src/mail/outbox.ts';
import { newId, cryptoRandom } from '../src/platform/random.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt;
};
const MAILS = Number(opt('mails', '100000'));
const RATE = opt('rate', '');
const CONCURRENCY = opt('concurrency', '');
const CONNECTIONS = Number(opt('connections', '10'));
const WINDOW = Number(opt('window', '5'));
const PG_URL = process.env.DATABASE_URL || '';

const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-bench-mail-'));
  let schema: string | null = null;
  if (PG_URL) {
    schema = `bench_mail_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  }
  const dbUrl = schema ? (() => { const u = new URL(PG_URL); u.searchParams.set('options', `-c search_path=${schema}`); return u.toString(); })() : '';

  const sink = fork(join(ROOT, 'bench/mail-sink.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const sinkPort = await new Promise<number>((resolve) => sink.stdout!.on('data', (b: Buffer) => { const m = /sink listening (\d+)/.exec(b.toString()); if (m) resolve(Number(m[1])); }));
  const ask = <T>(q: string) => new Promise<T>((resolve) => { sink.once('message', (m) => resolve(m as T)); sink.send(q); });

  const port = await freePort();
  const server = await startChild(
    ['--import', 'tsx', '--import', './bench/loop-delay-hook.ts', 'src/server.ts'],
    {
      ...process.env,
      NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`,
      ADMIT_DATA_DIR: dataDir, DATABASE_URL: dbUrl, ADMIT_CAPTCHA: 'off', ADMIT_SEED_DEMO: 'on', LOG_LEVEL: 'warn',
      SMTP_URL: `smtp://127.0.0.1:${sinkPort}`, ADMIT_SECRET: 'bench-secret-0123456789abcdef0123456789',
      ...(RATE ? { ADMIT_MAIL_RATE: RATE } : {}), ...(CONCURRENCY ? { ADMIT_MAIL_CONCURRENCY: CONCURRENCY } : {}),
    },
    /Admit is running/,
    300_000,
  );
  const url = `http://127.0.0.1:${port}`;
  const page = async (seconds: number) => autocannon({ url: `${url}/e/launch-nyc`, connections: CONNECTIONS, duration: seconds });

  try {
    const idle = await page(WINDOW);
    const database = await connectDatabase({ url: dbUrl || null, dataDir, poolSize: 2 });
    const event = await database.db.selectFrom('events').select('id').where('slug', '=', 'launch-nyc').executeTakeFirstOrThrow();
    const before = (await ask<{ count: number }>('count')).count;
    // Enqueue: one transaction, like queueMessage for one message to MAILS recipients.
    const t0 = Date.now();
    const now = new Date().toISOString();
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < MAILS; i += 500) {
        const rows = [];
        for (let j = i; j < Math.min(MAILS, i + 500); j++) {
          rows.push({
            ...outboxRow({ id: newId(new Date(), cryptoRandom), kind: 'message', to: `guest-${j}@example.com`, eventId: event.id, now, template: { name: 'organizer.message', locale: j % 3 ? 'en' : 'de', params: { eventTitle: 'Launch Night', subject: 'Parking is at gate B', body: `Hello Guest ${j},\n\nparking is at gate B. Doors open at 7 pm.\n\nSee you there!`, unsubscribeUrl: `${url}/u/${'x'.repeat(48)}` } } }),
            message_id: 'bench',
          });
        }
        await trx.insertInto('outbox').values(rows).execute();
      }
    });
    const tEnqueued = Date.now();
    await database.close();
    console.log(`enqueued ${MAILS} mails in ${((tEnqueued - t0) / 1000).toFixed(1)} s`);

    server.proc.kill('SIGUSR2'); // start the event-loop histogram
    const windows: { p99: number; p50: number; rps: number; errors: number }[] = [];
    let delivered = 0;
    while (delivered < MAILS) {
      const w = await page(WINDOW);
      windows.push({ p99: w.latency.p99, p50: w.latency.p50, rps: w.requests.average, errors: w.errors + w.non2xx });
      delivered = (await ask<{ count: number }>('count')).count - before;
      process.stdout.write(`  ${((Date.now() - tEnqueued) / 1000).toFixed(0)} s: ${delivered} delivered, page p99 ${w.latency.p99} ms\n`);
    }
    const loop = new Promise<string>((resolve) => {
      const onData = (b: Buffer) => { const m = /loop-delay (\{.*\})/.exec(b.toString()); if (m) { server.proc.stderr!.off('data', onData); resolve(m[1]); } };
      server.proc.stderr!.on('data', onData);
    });
    server.proc.kill('SIGUSR2');
    const loopDelay = JSON.parse(await loop) as { p50: number; p99: number; max: number; mean: number };
    const { arrived } = await ask<{ arrived: [string, number][] }>('dump');
    const mine = arrived.slice(before);
    const tLast = Math.max(...mine.map(([, at]) => at));
    const latencies = mine.map(([, at]) => at - tEnqueued).sort((a, b) => a - b);
    const seconds = (tLast - tEnqueued) / 1000;
    const p99s = windows.map((w) => w.p99).sort((a, b) => a - b);
    console.log(`
mail bench (${PG_URL ? 'postgresql' : 'sqlite'}, ${MAILS} mails, rate ${RATE || 'default'}, concurrency ${CONCURRENCY || 'default'})
  delivered           ${mine.length} in ${seconds.toFixed(1)} s = ${(mine.length / seconds).toFixed(0)} mails/s
  enqueue→delivery    p50 ${(pct(latencies, 50) / 1000).toFixed(1)} s, p99 ${(pct(latencies, 99) / 1000).toFixed(1)} s
  event-loop delay    p50 ${loopDelay.p50} ms, p99 ${loopDelay.p99} ms, max ${loopDelay.max} ms (server, while sending)
  page p99 idle       ${idle.latency.p99} ms (${idle.requests.average.toFixed(0)} req/s, ${CONNECTIONS} connections)
  page p99 sending    median window ${pct(p99s, 50)} ms, worst window ${p99s[p99s.length - 1]} ms (${windows.length} windows of ${WINDOW} s; ${windows.reduce((a, w) => a + w.errors, 0)} errors)`);
  } finally {
    await server.stop();
    sink.disconnect();
    sink.kill();
    if (schema) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
