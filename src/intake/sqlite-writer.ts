import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { startTsWorker, stopWorker } from '../platform/worker.ts';
import type { BatchContext, BatchOutcome, PreparedApplication } from './application-batch.ts';
import { decodeError, type FromWriter, type ToWriter } from './sqlite-writer-protocol.ts';

/**
 * Main-thread side of the SQLite writer thread (ADR 0004). better-sqlite3 is synchronous: written on the
 * serving thread, every batch's statements and its COMMIT fsync would stop HTTP for their whole length.
 * Here they run on a thread of their own, with its own connection; commit() resolves after COMMIT returned.
 * Reads and the organizer's writes keep using the main connection (WAL: readers never wait for the writer).
 * If the thread dies, the batches in it are refused (not acknowledged; SQLite rolled them back) and the
 * next batch starts a new thread.
 */
export class SqliteWriter {
  readonly #file: string;
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { worker: Worker; resolve(o: Array<BatchOutcome | Error>): void; reject(e: unknown): void }>();

  private constructor(file: string) {
    this.#file = file;
  }

  /** A writer for this database, started; null for PostgreSQL or an in-memory SQLite database. */
  static async start(database: Database): Promise<SqliteWriter | null> {
    if (database.dialect !== 'sqlite') return null;
    const rows = await sql<{ name: string; file: string }>`pragma database_list`.execute(database.db);
    const file = rows.rows.find((r) => r.name === 'main')?.file;
    if (!file) return null;
    const writer = new SqliteWriter(file);
    await writer.#spawn();
    return writer;
  }

  commit(ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
    return (async () => {
      if (!this.#worker) await this.#spawn();
      await this.#ready;
      const id = this.#nextId++;
      const worker = this.#worker!;
      return new Promise<Array<BatchOutcome | Error>>((resolve, reject) => {
        this.#pending.set(id, { worker, resolve, reject });
        worker.postMessage({ type: 'batch', id, ctx, items } satisfies ToWriter);
      });
    })();
  }

  /** Finishes the batches sent, closes the thread's connection. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await this.#ready?.catch(() => {});
    this.#worker = null;
    await stopWorker(worker, { type: 'close' } satisfies ToWriter, 'closed', 5000);
  }

  #spawn(): Promise<void> {
    const worker = startTsWorker(new URL('./sqlite-writer-worker.ts', import.meta.url), { file: this.#file });
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWriter) => {
        if (m.type === 'ready') return resolve();
        if (m.type === 'done') {
          const p = this.#take(m.id);
          p?.resolve(m.outcomes.map((o) => ('ok' in o ? o.ok : decodeError(o.err))));
        } else if (m.type === 'failed') this.#take(m.id)?.reject(decodeError(m.error));
      });
      // Its batches are refused as "database unavailable" (503, no retry one by one); so is a thread that
      // could not even start.
      const die = (err: unknown) => {
        if (this.#worker === worker) this.#worker = null;
        const lost = Object.assign(new Error(`intake writer thread stopped: ${(err as Error)?.message ?? err}`), { code: 'SQLITE_IOERR' });
        reject(lost);
        for (const [id, p] of [...this.#pending]) if (p.worker === worker) this.#take(id)?.reject(lost);
      };
      worker.on('error', die);
      worker.on('exit', (code) => die(new Error(`exit ${code}`)));
    });
    return this.#ready;
  }

  #take(id: number) {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    return p;
  }
}
