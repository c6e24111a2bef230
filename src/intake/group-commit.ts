/**
 * Group commit (ADR 0004): callers queue items and wait; one transaction commits a whole batch, then every
 * caller in it learns its own outcome. A caller is answered only after the commit that holds its item
 * returned, so nothing is acknowledged before it is durable.
 *
 * No timer decides when to flush: a batch starts as soon as a commit slot is free, and whatever queued up
 * while the previous commit ran forms the next batch. Idle, an item commits alone at once; under load the
 * batches grow by themselves with the commit latency. The queue is bounded: when it is full, submit()
 * refuses at once with QueueFullError (the HTTP layer answers 503 + Retry-After) instead of letting
 * requests time out.
 */

export class QueueFullError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: 'busy' | 'stale' | 'closing',
  ) {
    super(`intake queue ${reason}; retry after ${retryAfterSeconds}s`);
  }
}

export interface GroupCommitOptions<T, R> {
  /**
   * Commits one batch in one transaction. Returns one outcome per item, in order; an Error value
   * refuses only that item. Throwing refuses the whole batch (nothing was committed).
   */
  commit(items: T[]): Promise<Array<R | Error>>;
  /** Items waiting for a batch, at most (in-flight batches are not counted). */
  maxQueue: number;
  /** Items in one transaction, at most. */
  maxBatch: number;
  /** Transactions in flight at once: 1 on SQLite (one writer), a few on PostgreSQL. */
  concurrency: number;
  /**
   * An item that could not even start its commit within this time is refused (503) rather than left
   * hanging, e.g. while the database does not answer. Items already in a transaction are never refused
   * by time: their outcome is whatever the commit says.
   */
  maxWaitMs: number;
  /**
   * A failed batch of several items is retried item by item when this says the error may be one item's
   * fault (a constraint, bad data); not when the database is down — that would only multiply the load.
   */
  retryAlone?(err: unknown): boolean;
  /** Monotonic milliseconds; injectable for tests. */
  now?(): number;
}

interface Waiting<T, R> {
  item: T;
  at: number;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export interface GroupCommitStats {
  queued: number;
  inFlight: number;
  batches: number;
  committed: number;
  failed: number;
  refusedFull: number;
  refusedStale: number;
  largestBatch: number;
  /** Items committed per second, smoothed. */
  rate: number;
  /** Milliseconds per commit: mean and worst so far. */
  commitMs: { mean: number; max: number };
}

export class GroupCommit<T, R> {
  readonly #o: Required<Omit<GroupCommitOptions<T, R>, 'retryAlone'>> & Pick<GroupCommitOptions<T, R>, 'retryAlone'>;
  #queue: Waiting<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #closing = false;
  #idle: (() => void)[] = [];
  #sweep: NodeJS.Timeout | null = null;
  #rate = 0;
  #rateAt = 0;
  #stats = { batches: 0, committed: 0, failed: 0, refusedFull: 0, refusedStale: 0, largestBatch: 0 };
  #commitMs = { total: 0, max: 0 };

  constructor(opts: GroupCommitOptions<T, R>) {
    this.#o = { now: () => performance.now(), ...opts };
    if (opts.maxBatch < 1 || opts.concurrency < 1 || opts.maxQueue < 1) throw new Error('group commit: sizes must be ≥ 1');
  }

  get stats(): GroupCommitStats {
    const { total, max } = this.#commitMs;
    const mean = this.#stats.batches ? Math.round((100 * total) / this.#stats.batches) / 100 : 0;
    return { queued: this.#queue.length, inFlight: this.#inFlight, rate: Math.round(this.#rate), ...this.#stats, commitMs: { mean, max: Math.round(max) } };
  }

  /** Seconds after which a refused caller may reasonably try again: the queue's drain time, 1–30 s. */
  retryAfterSeconds(): number {
    const backlog = this.#queue.length + this.#inFlight * this.#o.maxBatch;
    if (this.#rate < 1) return 5;
    return Math.min(30, Math.max(1, Math.ceil(backlog / this.#rate)));
  }

  submit(item: T): Promise<R> {
    if (this.#closing) return Promise.reject(new QueueFullError(5, 'closing'));
    if (this.#queue.length >= this.#o.maxQueue) {
      this.#stats.refusedFull++;
      return Promise.reject(new QueueFullError(this.retryAfterSeconds(), 'busy'));
    }
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, at: this.#o.now(), resolve, reject });
      this.#kick();
      this.#armSweep();
    });
  }

  /** Stops taking items, commits everything queued, waits for the transactions in flight. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#kick();
    if (this.#queue.length || this.#inFlight) await new Promise<void>((r) => this.#idle.push(r));
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  #kick(): void {
    if (this.#scheduled || !this.#queue.length || this.#inFlight >= this.#o.concurrency) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: requests whose bytes arrived in this same turn of the event loop
    // get parsed and queued first and share the transaction, at no added latency.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#queue.length && this.#inFlight < this.#o.concurrency) this.#run(this.#queue.splice(0, this.#o.maxBatch));
    });
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    this.#inFlight++;
    this.#stats.batches++;
    if (batch.length > this.#stats.largestBatch) this.#stats.largestBatch = batch.length;
    const started = this.#o.now();
    try {
      let outcomes: Array<R | Error>;
      try {
        outcomes = await this.#o.commit(batch.map((w) => w.item));
      } catch (err) {
        if (batch.length > 1 && this.#o.retryAlone?.(err)) {
          // One bad item must not sink its neighbours: commit each alone, in order.
          outcomes = [];
          for (const w of batch) {
            try {
              outcomes.push((await this.#o.commit([w.item]))[0]);
            } catch (e) {
              outcomes.push(e instanceof Error ? e : new Error(String(e)));
            }
          }
        } else {
          throw err;
        }
      }
      let ok = 0;
      batch.forEach((w, i) => {
        const o = outcomes[i];
        if (o instanceof Error) w.reject(o);
        else {
          ok++;
          w.resolve(o);
        }
      });
      this.#stats.committed += ok;
      this.#stats.failed += batch.length - ok;
      this.#measure(ok);
    } catch (err) {
      this.#stats.failed += batch.length;
      for (const w of batch) w.reject(err);
    } finally {
      const ms = this.#o.now() - started;
      this.#commitMs.total += ms;
      if (ms > this.#commitMs.max) this.#commitMs.max = ms;
      this.#inFlight--;
      if (this.#queue.length) this.#kick();
      else if (!this.#inFlight) for (const r of this.#idle.splice(0)) r();
    }
  }

  #measure(n: number): void {
    const t = this.#o.now();
    const dt = (t - this.#rateAt) / 1000;
    this.#rateAt = t;
    if (dt <= 0 || dt > 5) return;
    const instant = n / Math.max(dt, 0.001);
    this.#rate = this.#rate ? this.#rate * 0.8 + instant * 0.2 : instant;
  }

  /** Refuses items that waited too long for a batch; runs (and keeps the process alive) only while something is queued. */
  #armSweep(): void {
    if (this.#sweep) return;
    const every = Math.max(50, Math.floor(this.#o.maxWaitMs / 4));
    this.#sweep = setInterval(() => {
      const limit = this.#o.now() - this.#o.maxWaitMs;
      let n = 0;
      while (n < this.#queue.length && this.#queue[n].at < limit) n++;
      if (n) {
        this.#stats.refusedStale += n;
        const retry = this.retryAfterSeconds();
        for (const w of this.#queue.splice(0, n)) w.reject(new QueueFullError(retry, 'stale'));
      }
      if (!this.#queue.length && this.#sweep) {
        clearInterval(this.#sweep);
        this.#sweep = null;
        if (!this.#inFlight) for (const r of this.#idle.splice(0)) r();
      }
    }, every);
  }
}
