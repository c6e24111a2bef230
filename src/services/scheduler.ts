import type { Queryable } from '../db/connect.ts';
import { remindExpiringOffers } from './deadlines.ts';
import { sendAutoMails } from './auto-mails.ts';
import type { Deps } from './deps.ts';
import { revealDueEvents } from './reveal.ts';
import { queueDueMessages } from './messages.ts';
import { erasePersonalData } from './retention.ts';
import { expireOffersAndPromote } from './waitlist.ts';

/**
 * Periodic jobs, safe with any number of app instances on one database. Each job has a row in
 * `leases`: an instance runs the job only after winning a conditional UPDATE (or the first INSERT) on
 * a lease whose expires_at has passed. While the job runs, the lease is held for leaseMs (a crashed
 * instance's lease simply runs out); when it ends, expires_at moves to the job's next due time, so the
 * lease doubles as the shared schedule. The lease only saves duplicate work: the jobs themselves lock
 * late, re-check and write with conditional UPDATEs, so even two runs at once change everything once.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(deps: Deps): Promise<unknown>;
}

export const DEFAULT_JOBS: readonly Job[] = [
  { name: 'offers', everyMs: 30_000, run: expireOffersAndPromote },
  { name: 'reveal', everyMs: 30_000, run: revealDueEvents },
  { name: 'offer-reminders', everyMs: 60_000, run: remindExpiringOffers },
  { name: 'auto-mails', everyMs: 60_000, run: sendAutoMails },
  { name: 'retention', everyMs: 3_600_000, run: erasePersonalData },
  /** Organizer messages scheduled for a later time (services/messages.ts). */
  { name: 'messages', everyMs: 15_000, run: queueDueMessages },
];

/** Takes the lease `name` until `until` if it is free (expired or never taken). True when this caller won. */
export async function acquireLease(db: Queryable, name: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const nowIso = now.toISOString();
  const res = await db
    .updateTable('leases')
    .set({ holder, expires_at: until.toISOString() })
    .where('name', '=', name)
    .where('expires_at', '<=', nowIso)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return true;
  const ins = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: until.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(ins.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Moves the lease's expiry (e.g. to the next due time), only while `holder` still has it. */
export async function setLeaseExpiry(db: Queryable, name: string, holder: string, until: Date): Promise<void> {
  await db.updateTable('leases').set({ expires_at: until.toISOString() }).where('name', '=', name).where('holder', '=', holder).execute();
}

export interface SchedulerOptions {
  /** Identifies this instance in `leases`. */
  instanceId: string;
  jobs?: readonly Job[];
  /** How long a running job keeps its lease before another instance may take over. */
  leaseMs?: number;
  /** How often this instance looks for due jobs. */
  tickMs?: number;
  onError?: (err: unknown, job: string) => void;
}

export class Scheduler {
  #deps: Deps;
  #opts: Required<Omit<SchedulerOptions, 'onError'>> & Pick<SchedulerOptions, 'onError'>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(deps: Deps, opts: SchedulerOptions) {
    this.#deps = deps;
    this.#opts = { jobs: DEFAULT_JOBS, leaseMs: 5 * 60_000, tickMs: 5_000, ...opts };
  }

  /** Runs every job that is due and whose lease this instance wins. Returns the names of the jobs it ran. */
  async runDue(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.#opts.jobs) {
      const { db } = this.#deps.database;
      const lease = `job:${job.name}`;
      const start = this.#deps.clock.now();
      if (!(await acquireLease(db, lease, this.#opts.instanceId, start, new Date(start.getTime() + this.#opts.leaseMs)))) continue;
      try {
        await job.run(this.#deps);
        ran.push(job.name);
      } catch (err) {
        this.#opts.onError?.(err, job.name);
      } finally {
        await setLeaseExpiry(db, lease, this.#opts.instanceId, new Date(start.getTime() + job.everyMs)).catch((err) => this.#opts.onError?.(err, job.name));
      }
    }
    return ran;
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#running = this.runDue()
        .catch((err) => this.#opts.onError?.(err, 'scheduler'))
        .finally(() => {
          this.#running = null;
          if (this.#timer) this.#timer = setTimeout(tick, this.#opts.tickMs).unref();
        });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
