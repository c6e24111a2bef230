import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { editApplication, submitApplication, verifyApplication, withdrawApplication } from '../../src/services/applications.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { seedVerifiedApplications, tokenFromMail } from './draw-fixtures.ts';

/** application_party_counts (migration 013) as the overview reads it, and the same by GROUP BY over the rows. */
async function both(c: TestContext, eventId: string) {
  const kept = await c.db.db
    .selectFrom('application_party_counts')
    .select(['status', 'verified', 'party_size', (eb) => eb.fn.sum<number | string>('n').as('n')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified', 'party_size'])
    .execute();
  const rows = await c.db.db
    .selectFrom('applications')
    .select(['status', 'verified', 'party_size', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified', 'party_size'])
    .execute();
  const norm = (xs: { status: string; verified: number; party_size: number; n: number | string }[]) =>
    xs
      .map((x) => `${x.status}/${Number(x.verified)}/${x.party_size}=${Number(x.n)}`)
      .filter((s) => !s.endsWith('=0'))
      .sort();
  return { kept: norm(kept), recount: norm(rows) };
}

forEachDialect('party-size counters', (ctx) => {
  test('exact after intake, verification, edits that change the party, withdrawal, bulk updates and deletes', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const check = async (step: string) => {
      const { kept, recount } = await both(c, event.id);
      assert.deepEqual(kept, recount, step);
      assert.ok(recount.length > 0, step);
    };
    await seedVerifiedApplications(c, event.id, 40, `pc${c.dialect[0]}`);
    await check('insert');
    await submitApplication(c.deps, event.slug, { name: 'Ada', email: 'ada-pc@example.com', country: 'US', locale: 'en', consent: true, answers: { why: 'x' }, guests: [] });
    await check('intake');
    const token = await tokenFromMail(c, 'ada-pc@example.com');
    await verifyApplication(c.deps, token);
    await editApplication(c.deps, token, { name: 'Ada', email: 'ada-pc@example.com', country: 'US', locale: 'en', consent: true, answers: { why: 'x' }, guests: [{ name: 'Bob', relation: 'friend' }, { name: 'Cy', relation: 'family' }] });
    await check('verify + edit to a party of 3');
    await withdrawApplication(c.deps, token);
    await check('withdraw');
    await c.db.db.updateTable('applications').set({ party_size: sql`party_size + 1` as never }).where('event_id', '=', event.id).where('party_size', '<', 3).execute();
    await check('bulk update of party sizes');
    await c.db.db.deleteFrom('applications').where('event_id', '=', event.id).where('party_size', '=', 4).execute();
    await check('delete');
  });
});
