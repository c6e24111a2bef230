import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { writeSqliteBatch } from './application-batch.ts';
import { configureWriterConnection } from './sqlite-store.ts';
import { encodeError, type FromWriter, type ToWriter } from './sqlite-writer-protocol.ts';

/**
 * The SQLite writer thread (ADR 0004): its own connection, prepared statements, one batch at a time, each in
 * BEGIN IMMEDIATE … COMMIT with synchronous=FULL. The event loop that serves HTTP never waits for the
 * statements or the fsync; it is told the outcome after COMMIT returned.
 */
const port = parentPort!;
const db = new SQLite(workerData.file as string);
configureWriterConnection(db);
const post = (m: FromWriter) => port.postMessage(m);

let chain = Promise.resolve();
port.on('message', (m: ToWriter) => {
  chain = chain.then(() => (m.type === 'batch' ? run(m) : close()));
});
post({ type: 'ready' });

async function run(m: Extract<ToWriter, { type: 'batch' }>): Promise<void> {
  try {
    const outcomes = await writeSqliteBatch(db, m.ctx, m.items);
    post({ type: 'done', id: m.id, outcomes: outcomes.map((o) => (o instanceof Error ? { err: encodeError(o) } : { ok: o })) });
  } catch (err) {
    post({ type: 'failed', id: m.id, error: encodeError(err) });
  }
}

function close(): void {
  db.close();
  post({ type: 'closed' });
}
