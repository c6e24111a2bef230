import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectDatabase, type Database } from '../../src/db/connect.ts';
import { outboxRow } from '../../src/mail/outbox.ts';
import { OutboxSender, type MailTransport } from '../../src/mail/sender.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { seededRandom, newId } from '../../src/platform/random.ts';
import { submitApplication } from '../../src/services/applications.ts';
import { ApplicationIntake } from '../../src/intake/intake.ts';
import type { Deps } from '../../src/services/deps.ts';
import { forEachDialect, testConfig, type TestContext } from '../helpers/context.ts';

/** A second, independent connection (pool) to the test database: what another instance would have. */
function secondConnection(c: TestContext): Promise<Database> {
  return connectDatabase({
    url: c.dialect === 'postgres' ? process.env.TEST_DATABASE_URL! : null,
    dataDir: c.db.dataDir,
    schema: c.db.schema ?? undefined,
    poolSize: 5,
  });
}

forEachDialect('two instances on one database', (ctx) => {
  test('two outbox senders never deliver a mail twice and deliver every mail', async () => {
    const c = ctx();
    const other = await secondConnection(c);
    try {
      const random = seededRandom('outbox');
      const now = new Date().toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 300; i += 100) {
        const rows = Array.from({ length: 100 }, (_, j) => {
          const id = newId(new Date(), random);
          ids.push(id);
          return outboxRow({ id, kind: 'test', to: `r${i + j}@example.com`, now, mail: { subject: 's', text: 't', html: 'h' } });
        });
        await c.db.db.insertInto('outbox').values(rows).execute();
      }
      const delivered: string[] = [];
      const by = { a: 0, b: 0 };
      const transport = (who: 'a' | 'b'): MailTransport => ({
        async send(row) {
          delivered.push(row.id);
          by[who]++;
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 5)); // long enough that neither can finish alone
        },
        close() {},
      });
      const a = new OutboxSender({ db: c.db.db, clock: systemClock, transport: transport('a'), instanceId: 'a', batchSize: 20, concurrency: 4 });
      const b = new OutboxSender({ db: other.db, clock: systemClock, transport: transport('b'), instanceId: 'b', batchSize: 20, concurrency: 4 });
      // Both pools connected before the race starts: on a busy machine a cold connect could take longer than
      // the other instance needs for all 300 mails, and "both worked" would be about connect times.
      await Promise.all([c.db.db, other.db].map((db) => db.selectFrom('outbox').select('id').limit(1).execute()));
      const [na, nb] = await Promise.all([a.drain(), b.drain()]);
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(delivered.length, 300, 'every mail once');
      assert.equal(new Set(delivered).size, 300, 'no mail twice');
      assert.deepEqual([...delivered].sort(), [...ids].sort());
      assert.equal(na + nb, 300, 'each counted its own');
      assert.deepEqual([na, nb], [by.a, by.b]);
      assert.ok(by.a > 0 && by.b > 0, `both instances worked (${by.a} + ${by.b})`);
      const left = await c.db.db.selectFrom('outbox').select('id').where('kind', '=', 'test').where('status', '!=', 'sent').execute();
      assert.equal(left.length, 0);
    } finally {
      await other.close();
    }
  });

  test('two intakes on one database: the same addresses at once still give one application each', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const other = await secondConnection(c);
    try {
      const depsB: Deps = { database: other, clock: c.clock, random: seededRandom('b'), config: testConfig(c.db.dataDir) };
      new ApplicationIntake(other); // a second queue, as in another process
      const body = (i: number) => ({ name: `Person ${i} Example`, email: `p${i}@example.com`, country: 'US', consent: true, answers: { why: 'x' }, guests: [] });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => [submitApplication(c.deps, event.slug, body(i)), submitApplication(depsB, event.slug, body(i))]).flat(),
      );
      assert.equal(results.length, 80);
      const rows = await c.db.db.selectFrom('applications').select('email').where('event_id', '=', event.id).execute();
      assert.equal(rows.length, 40);
      const mails = await c.db.db.selectFrom('outbox').select('kind').where('event_id', '=', event.id).execute();
      assert.equal(mails.filter((m) => m.kind === 'application.verify').length, 40);
      assert.equal(mails.filter((m) => m.kind === 'application.already_applied').length, 40);
    } finally {
      await other.close();
    }
  });
});
