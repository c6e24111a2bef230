/**
 * Where the SQLite writer's time goes (issue 5 profiling aid):  npm run bench:writer [-- options]
 * Prepares N applications through submitApplication (captured before they queue), then writes them in batches
 * of 256 with writeBatch + the SQLite store on one connection, timing every BatchStore method and the COMMIT.
 *
 * Options: --count N (20000)  --no-keys (without duplicate-detection keys: what they cost)
 *          --drop idx1,idx2 (without these indexes)  --pragma 'cache_size=-65536',… (extra pragmas)
 *          --frames (SQLite: checkpoint after every COMMIT, untimed, and count the WAL frames each COMMIT wrote — the
 *          pages a batch dirtied, which is what its COMMIT costs; a figure that does not move with the machine's load)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { connectDatabase, migrateToLatest } from '../src/db/connect.ts';
import type { PreparedApplication } from '../src/intake/application-batch.ts';
import { writeBatch } from '../src/intake/application-batch.ts';
import type { BatchStore } from '../src/intake/batch-store.ts';
import { ApplicationIntake } from '../src/intake/intake.ts';
import { pgBatchStore } from '../src/intake/pg-store.ts';
import { configureWriterConnection, sqliteBatchStore } from '../src/intake/sqlite-store.ts';
import { systemClock } from '../src/platform/clock.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import { submitApplication } from '../src/services/applications.ts';
import { demoEventInput } from '../src/services/demo.ts';
import type { Deps } from '../src/services/deps.ts';
import { createEvent } from '../src/services/events.ts';

const argv = process.argv.slice(2);
const COUNT = argv.includes('--count') ? Number(argv[argv.indexOf('--count') + 1]) : 20000;
const PG_URL = process.env.DATABASE_URL || '';
const dataDir = mkdtempSync(join(tmpdir(), 'admit-probe-'));
const schema = PG_URL ? `probe_${process.pid}` : undefined;
const database = await connectDatabase({ url: PG_URL || null, dataDir, schema });
await migrateToLatest(database.db);
const config = loadConfig({ ADMIT_DATA_DIR: dataDir, ADMIT_CAPTCHA: 'off', ADMIT_SECRET: 'probe-secret-0123456789abcdef0123456789', LOG_LEVEL: 'warn' });
const deps: Deps = { database, clock: systemClock, random: cryptoRandom, config };
const event = await createEvent(deps, 'bench', { ...demoEventInput(new Date(Date.now() - 3_600_000)), slug: 'probe' });

const items: PreparedApplication[] = [];
const NO_KEYS = argv.includes('--no-keys');
ApplicationIntake.prototype.submit = async function (item: PreparedApplication) {
  if (NO_KEYS) item.keys = { own: [], probes: [] };
  items.push(item);
  return { kind: 'created' };
};
const t0 = performance.now();
for (let n = 0; n < COUNT; n++) {
  await submitApplication(deps, event.slug, {
    name: `Person ${n % 977} Example${n % 13}`,
    email: `p.${n}@example.com`,
    country: ['US', 'US', 'DE', 'CA'][n % 4],
    consent: true,
    guests: [{ name: `Guest ${n} One`, relation: 'family' }, { name: `Guest ${n} Two`, relation: 'friend' }],
    answers: { why: 'x'.repeat(400), fan: 'yes' },
  });
}
const prepUs = ((performance.now() - t0) * 1000) / COUNT;
const times = new Map<string, number>();
const add = (k: string, ms: number) => times.set(k, (times.get(k) ?? 0) + ms);
/** The store with every method timed (sync or async). */
const timedStore = (inner: BatchStore): BatchStore =>
  Object.fromEntries(
    Object.entries(inner).map(([k, fn]) => [
      k,
      (...args: unknown[]) => {
        const s = performance.now();
        const r = (fn as (...a: unknown[]) => unknown)(...args);
        if (r instanceof Promise) return r.then((v) => (add(k, performance.now() - s), v));
        add(k, performance.now() - s);
        return r;
      },
    ]),
  ) as unknown as BatchStore;
let cpu0 = process.cpuUsage();
/** CPU time of this process while writing (SQLite: the statements and the COMMIT all run on this thread), which —
 * unlike the wall time — hardly moves when other processes load the machine. */
const cpuUs = () => {
  const d = process.cpuUsage(cpu0);
  return d.user + d.system;
};
const report = (total: number) => {
  console.log(`prepare (submitApplication without the queue): ${prepUs.toFixed(0)} µs/application`);
  console.log(`write ${items.length} in batches of 256 (${database.dialect}): ${((total * 1000) / items.length).toFixed(0)} µs/application = ${Math.round(items.length / (total / 1000))}/s, one transaction at a time`);
  for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(24)} ${((ms * 1000) / items.length).toFixed(1).padStart(6)} µs/application`);
  if (!PG_URL) console.log(`CPU time of the writing thread: ${(cpuUs() / items.length).toFixed(0)} µs/application (wall time above)`);
};
if (PG_URL) {
  const w0 = performance.now();
  for (let i = 0; i < items.length; i += 256) {
    let inside = 0;
    const b0 = performance.now();
    await database.db.transaction().execute(async (trx) => {
      await writeBatch(timedStore(pgBatchStore(trx)), { dialect: 'postgres', shard: 0 }, items.slice(i, i + 256));
      inside = performance.now();
    });
    add('commit', performance.now() - inside);
    void b0;
  }
  report(performance.now() - w0);
  await database.close();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  if (!argv.includes('--keep')) await c.query(`drop schema ${schema} cascade`);
  else console.log(`kept schema ${schema}`);
  await c.end();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
await database.close();

const raw = new SQLite(join(dataDir, 'admit.sqlite'));
configureWriterConnection(raw); // as the writer thread has it
const pragmas = argv.includes('--pragma') ? argv[argv.indexOf('--pragma') + 1].split(',') : [];
for (const p of pragmas) raw.pragma(p);
if (pragmas.length) console.log(`pragmas: ${pragmas.join(', ')}`);
const drop = argv.includes('--drop') ? argv[argv.indexOf('--drop') + 1].split(',') : [];
for (const d of drop) raw.exec(d.startsWith("trigger:") ? `drop trigger if exists ${d.slice(8)}` : `drop index if exists ${d}`);
if (drop.length) console.log(`without indexes: ${drop.join(', ')}`);
const timed = timedStore(sqliteBatchStore(raw));
const FRAMES = argv.includes('--frames');
let frames = 0;
let untimed = 0;
let untimedCpu = 0;
cpu0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < items.length; i += 256) {
  const b0 = performance.now();
  raw.exec('begin immediate');
  add('begin', performance.now() - b0);
  await writeBatch(timed, { dialect: 'sqlite', shard: 0 }, items.slice(i, i + 256));
  const c0 = performance.now();
  raw.exec('commit');
  add('commit', performance.now() - c0);
  if (FRAMES) {
    const k0 = performance.now();
    const c0 = cpuUs();
    const [r] = raw.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    frames += r.log;
    raw.pragma('wal_checkpoint(TRUNCATE)');
    untimed += performance.now() - k0;
    untimedCpu += cpuUs() - c0;
  }
}
cpu0 = { user: cpu0.user + untimedCpu, system: cpu0.system };
report(performance.now() - w0 - untimed);
if (FRAMES) console.log(`WAL frames (pages) written per COMMIT: ${Math.round(frames / Math.ceil(items.length / 256))} = ${(frames / items.length).toFixed(2)} per application`);
raw.close();
rmSync(dataDir, { recursive: true, force: true });
