import { loadConfig } from '../config.ts';
import { connectDatabase, migrateToLatest } from '../db/connect.ts';
import { systemClock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import type { Deps } from '../services/deps.ts';

/** Runs one CLI action against the configured database (migrated first), then closes it. */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await connectDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    return await fn({ database, clock: systemClock, random: cryptoRandom, config });
  } finally {
    await database.close();
  }
}
