import { AppError } from '../errors.ts';
import type { Event } from '../domain/event.ts';
import type { Database } from '../db/connect.ts';
import { eventFromRow } from '../db/repositories/events.ts';
import type { EventRow } from '../db/schema.ts';
import { type BatchOutcome, commitApplicationBatch, type PreparedApplication } from './application-batch.ts';
import { isDatabaseUnavailable } from './db-errors.ts';
import { GroupCommit, type GroupCommitStats, QueueFullError } from './group-commit.ts';
import { findStoredResponse, type StoredResponse } from './idempotency.ts';
import { SqliteWriter } from './sqlite-writer.ts';

export interface IntakeSettings {
  /** Applications waiting for a transaction, at most; beyond that: 503 + Retry-After. */
  maxQueue: number;
  /** Applications per transaction, at most. */
  maxBatch: number;
  /** Transactions in flight at once (SQLite: 1). */
  concurrency: number;
  /** Refuse (503) an application that could not start its commit within this time. */
  maxWaitMs: number;
  /** Events are read at most this often per slug; the batch re-checks them inside its transaction. */
  eventCacheMs: number;
  /** SQLite: 'thread' = batches written by the writer thread (startIntake); 'inline' = on this thread. */
  writer: 'thread' | 'inline';
}

export function defaultIntakeSettings(dialect: Database['dialect']): IntakeSettings {
  return { maxQueue: 4000, maxBatch: 256, concurrency: dialect === 'postgres' ? 3 : 1, maxWaitMs: 8_000, eventCacheMs: 1_000, writer: 'inline' };
}

interface CachedEvent {
  row: EventRow;
  event: Event;
  at: number;
}

/**
 * The intake of one process for one database: the group-commit queue, a short-lived event cache and the
 * in-process view of idempotency keys. One per database on purpose — group commit needs a single queue.
 * Services reach it with intakeFor(deps.database); the runtime configures it and closes it on shutdown.
 */
export class ApplicationIntake {
  readonly settings: IntakeSettings;
  readonly #database: Database;
  readonly #queue: GroupCommit<PreparedApplication, BatchOutcome>;
  readonly #events = new Map<string, CachedEvent>();
  readonly #loading = new Map<string, Promise<CachedEvent | null>>();
  readonly #inFlightKeys = new Map<string, Promise<unknown>>();
  #batchNo = process.pid;

  readonly #writer: SqliteWriter | null;

  constructor(database: Database, settings: Partial<IntakeSettings> = {}, writer: SqliteWriter | null = null) {
    this.#database = database;
    this.#writer = writer;
    this.settings = { ...defaultIntakeSettings(database.dialect), ...settings, writer: writer ? 'thread' : 'inline' };
    const { maxQueue, maxBatch, concurrency, maxWaitMs } = this.settings;
    this.#queue = new GroupCommit<PreparedApplication, BatchOutcome>({
      maxQueue,
      maxBatch,
      concurrency,
      maxWaitMs,
      commit: (items) => {
        const ctx = { dialect: database.dialect, shard: this.#batchNo++ % 16 };
        return writer ? writer.commit(ctx, items) : commitApplicationBatch(database, ctx, items);
      },
      retryAlone: (err) => !isDatabaseUnavailable(err),
    });
  }

  get stats(): GroupCommitStats {
    return this.#queue.stats;
  }

  /** Sheds load before any work: throws the same 503 as a full queue would, while it is full. */
  assertAccepting(): void {
    const { queued } = this.#queue.stats;
    if (queued >= this.settings.maxQueue) {
      throw new AppError('service.unavailable', { details: { retryAfter: this.#queue.retryAfterSeconds(), reason: 'busy' } });
    }
  }

  /** A published event by slug (null if unknown or draft), from a cache of at most eventCacheMs. */
  async event(slug: string): Promise<{ event: Event; row: EventRow } | null> {
    const hit = this.#events.get(slug);
    if (hit && performance.now() - hit.at < this.settings.eventCacheMs) return hit;
    let p = this.#loading.get(slug);
    if (!p) {
      p = this.#guard(async () => {
        const row = await this.#database.db.selectFrom('events').selectAll().where('slug', '=', slug).executeTakeFirst();
        if (!row || row.status === 'draft') {
          this.#events.delete(slug);
          return null;
        }
        if (this.#events.size > 1000) this.#events.clear();
        const c = { row, event: eventFromRow(row), at: performance.now() };
        this.#events.set(slug, c);
        return c;
      }).finally(() => this.#loading.delete(slug));
      this.#loading.set(slug, p);
    }
    return p;
  }

  /** Queues a prepared application and resolves after the transaction holding it committed. */
  async submit(item: PreparedApplication): Promise<BatchOutcome> {
    const key = item.idempotency?.keyHash;
    if (key) {
      // The same key twice at once in this process (a double click): the second waits for the first,
      // then goes through the database like any replay and gets the stored answer.
      const earlier = this.#inFlightKeys.get(key);
      if (earlier) await earlier.catch(() => {});
    }
    const p = this.#guard(() => this.#queue.submit(item));
    if (key) {
      this.#inFlightKeys.set(key, p);
      p.catch(() => {}).finally(() => {
        if (this.#inFlightKeys.get(key) === p) this.#inFlightKeys.delete(key);
      });
    }
    return p;
  }

  /** Resolves when no submission with this idempotency key is running in this process. */
  async settled(keyHash: string): Promise<void> {
    await this.#inFlightKeys.get(keyHash)?.catch(() => {});
  }

  storedResponse(keyHash: string): Promise<StoredResponse | null> {
    return this.#guard(() => findStoredResponse(this.#database.db, keyHash));
  }

  /** Stops taking applications and commits everything queued (graceful shutdown). */
  async close(): Promise<void> {
    await this.#queue.close();
    await this.#writer?.close();
  }

  /** Database trouble and a full queue become a coded 503 with Retry-After; nothing half-written. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof QueueFullError) {
        throw new AppError('service.unavailable', { details: { retryAfter: err.retryAfterSeconds, reason: err.reason } });
      }
      if (isDatabaseUnavailable(err)) {
        throw new AppError('service.unavailable', { details: { retryAfter: 5, reason: 'database', cause: (err as Error)?.message } });
      }
      throw err;
    }
  }
}

const intakes = new WeakMap<Database, ApplicationIntake>();

/** The intake of this database in this process, created with default settings on first use. */
export function intakeFor(database: Database): ApplicationIntake {
  let intake = intakes.get(database);
  if (!intake) {
    intake = new ApplicationIntake(database);
    intakes.set(database, intake);
  }
  return intake;
}

/** Settings from the config, batches written on this thread. Replaces an idle default intake. */
export function configureIntake(database: Database, settings: Partial<IntakeSettings>): ApplicationIntake {
  const intake = new ApplicationIntake(database, settings);
  intakes.set(database, intake);
  return intake;
}

/**
 * Called by the runtime before serving: like configureIntake, and on SQLite with writer 'thread' (the
 * default there) the batches go to the writer thread, which is started (and ready) when this resolves.
 */
export async function startIntake(database: Database, settings: Partial<IntakeSettings>): Promise<ApplicationIntake> {
  const writer = (settings.writer ?? 'thread') === 'thread' ? await SqliteWriter.start(database) : null;
  const intake = new ApplicationIntake(database, settings, writer);
  intakes.set(database, intake);
  return intake;
}
