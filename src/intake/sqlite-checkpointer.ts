import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

/**
 * SQLite in WAL mode copies the log back into the database file ("checkpoint") every 1000 pages, inside
 * whichever commit crosses the mark — on the one thread that also serves HTTP, stalling every request for
 * the length of a multi-megabyte write + fsync. Under a rush that is the p99. So the serving connection
 * only checkpoints as a fallback (every 20,000 pages), and a worker thread with its own connection runs a
 * PASSIVE checkpoint every 250 ms: it never blocks writers, and its I/O waits happen off the event loop.
 * (ADR 0004.) Durability is unchanged: a commit is durable once its WAL frames are fsync'd.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.sqlitePath);
const db = new SQLite(workerData.file, { timeout: 0 });
db.pragma('busy_timeout = 0');
let timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { /* busy or gone: try again next tick */ }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage('stopped');
  }
});
`;

export async function startSqliteCheckpointer(database: Database, everyMs = 250): Promise<Checkpointer | null> {
  if (database.dialect !== 'sqlite') return null;
  const rows = await sql<{ name: string; file: string }>`pragma database_list`.execute(database.db);
  const file = rows.rows.find((r) => r.name === 'main')?.file;
  if (!file) return null; // in-memory database
  await sql`pragma wal_autocheckpoint = 20000`.execute(database.db);
  const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, sqlitePath, everyMs } });
  worker.unref();
  worker.on('error', () => {});
  return {
    async stop() {
      const done = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
      await worker.terminate();
    },
  };
}
