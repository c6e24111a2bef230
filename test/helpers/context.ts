import { describe, after, before } from 'node:test';
import type { Config } from '../../src/config.ts';
import type { Dialect } from '../../src/db/connect.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { seededRandom } from '../../src/platform/random.ts';
import type { Deps } from '../../src/services/deps.ts';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import type { Event, EventInput } from '../../src/domain/event.ts';
import { createTestDatabase, dialects, type TestDatabase } from './db.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export function testConfig(dataDir: string, over: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: null,
    dataDir,
    smtpUrl: null,
    mailFrom: 'Admit <no-reply@admit.test>',
    publicUrl: 'http://admit.test',
    captcha: false,
    captchaCost: 1000,
    secret: TEST_SECRET,
    redisUrl: null,
    unverifiedTtlHours: 72,
    seedDemo: false,
    logLevel: 'silent',
    workers: false,
    ...over,
  };
}

export interface TestContext {
  dialect: Dialect;
  db: TestDatabase;
  clock: ManualClock;
  deps: Deps;
  /** Creates an event, open now, from the demo definition with overrides. */
  makeEvent(over?: Partial<EventInput>): Promise<Event>;
}

export async function createContext(dialect: Dialect): Promise<TestContext> {
  const db = await createTestDatabase(dialect);
  const clock = new ManualClock('2026-11-01T12:00:00.000Z');
  const deps: Deps = { database: db, clock, random: seededRandom(`${dialect}:${Math.random()}`), config: testConfig(db.dataDir) };
  let n = 0;
  return {
    dialect,
    db,
    clock,
    deps,
    makeEvent: (over = {}) => createEvent(deps, 'test', { ...demoEventInput(clock.now()), slug: `event-${++n}`, ...over }),
  };
}

/**
 * Runs the same test bodies on every dialect (STYLE habit 7): `forEachDialect('applications', (ctx) => { test(...) })`.
 * ctx() gives the context of the current dialect, created before and destroyed after the suite.
 */
export function forEachDialect(name: string, body: (ctx: () => TestContext) => void): void {
  for (const dialect of dialects()) {
    describe(`${name} [${dialect}]`, () => {
      let ctx: TestContext;
      before(async () => {
        ctx = await createContext(dialect);
      });
      after(async () => {
        await ctx?.db.destroy();
      });
      body(() => ctx);
    });
  }
}
