import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import type { Clock } from '../platform/clock.ts';
import type { RandomSource } from '../platform/random.ts';

/** What every use case may touch: the database, the injected clock and randomness, config. */
export interface Deps {
  database: Database;
  clock: Clock;
  random: RandomSource;
  config: Pick<Config, 'publicUrl' | 'secret' | 'unverifiedTtlHours' | 'mailFrom' | 'rateLimits' | 'dataDir'>;
  /** Called after a commit that enqueued mail, so the sender need not wait for its next poll. */
  afterCommit?: { mailEnqueued(): void };
}
