import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectDatabase, type Database } from '../../src/db/connect.ts';
import { Scheduler } from '../../src/services/scheduler.ts';
import { expireOffersAndPromote, promoteWaitlist } from '../../src/services/waitlist.ts';
import type { Deps } from '../../src/services/deps.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { countWhere, heldSeats, insertParty, statusOf, waitlist } from '../helpers/after-draw.ts';
import { commitDraw, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { declineApplication } from '../../src/services/confirmations.ts';
import { closeAt, seedVerifiedApplications } from './draw-fixtures.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const HOUR = 3_600_000;

/**
 * A second "instance": on PostgreSQL its own connection pool to the same schema; on SQLite the same
 * connection (SQLite serializes writers anyway; two connections in one process would only block
 * each other's event loop), but its own deps and instance id.
 */
async function secondInstance(c: TestContext): Promise<{ deps: Deps; close(): Promise<void> }> {
  if (c.dialect === 'sqlite') return { deps: { ...c.deps }, close: async () => {} };
  const database: Database = await connectDatabase({ url: process.env.TEST_DATABASE_URL!, dataDir: c.db.dataDir, schema: c.db.schema!, poolSize: 5 });
  return { deps: { ...c.deps, database }, close: () => database.close() };
}

async function heldParties(c: TestContext, eventId: string, source: string): Promise<number> {
  const rows = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', eventId).where('offer_source', '=', source).where('status', 'in', ['offered', 'confirmed']).execute();
  return rows.length;
}

async function offerMails(c: TestContext, eventId: string): Promise<string[]> {
  const rows = await c.db.db.selectFrom('outbox').select('to_address').where('event_id', '=', eventId).where('kind', '=', 'offer.waitlist').execute();
  return rows.map((r) => r.to_address);
}

forEachDialect('waitlist', (ctx) => {
  test('expiry → promotion chain: party-aware, in draw order, each promoted party gets its own deadline', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 4 });
    const a = await insertParty(c, event, { status: 'offered', guests: ['A2'], offerExpiresAt: new Date(c.clock.now().getTime() + HOUR).toISOString(), locale: 'de' });
    await insertParty(c, event, { status: 'confirmed', guests: ['B2'] });
    const [w3, w2, w1a, w1b] = await waitlist(c, event, [3, 2, 1, 1]);

    assert.deepEqual(await expireOffersAndPromote(c.deps), { expired: 0, promoted: 0 }, 'nothing due before the deadline');
    c.clock.advance(HOUR);
    const r1 = await expireOffersAndPromote(c.deps);
    assert.deepEqual(r1, { expired: 1, promoted: 1 });
    assert.equal(await statusOf(c.db, a.id), 'expired');
    const expiredMail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'offer.expired').executeTakeFirstOrThrow());
    assert.equal(expiredMail.to_address, a.email);
    assert.match(expiredMail.subject, /abgelaufen/, 'localized');
    assert.equal(await statusOf(c.db, w3.id), 'waitlisted', 'a party of 3 does not fit 2 seats: skipped, never split');
    assert.equal(await statusOf(c.db, w2.id), 'offered');
    const w2row = await c.db.db.selectFrom('applications').selectAll().where('id', '=', w2.id).executeTakeFirstOrThrow();
    assert.equal(w2row.offer_source, 'waitlist');
    assert.equal(w2row.offer_expires_at, new Date(c.clock.now().getTime() + event.confirmHours * HOUR).toISOString());

    // The promoted party lets its own deadline pass: the next two single people move up.
    c.clock.advance(event.confirmHours * HOUR);
    assert.deepEqual(await expireOffersAndPromote(c.deps), { expired: 1, promoted: 2 });
    assert.equal(await statusOf(c.db, w1a.id), 'offered');
    assert.equal(await statusOf(c.db, w1b.id), 'offered');
    assert.equal(await statusOf(c.db, w3.id), 'waitlisted');
    assert.equal(await heldSeats(c.db, event.id), 4);
    assert.deepEqual((await offerMails(c, event.id)).sort(), [w2.email, w1a.email, w1b.email].sort());
  });

  test('quota-aware: a group at its maximum share is skipped, the next group moves up', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 4 });
    const entries = [
      { id: 'a1', group: 'preferred', weight: 3, partySize: 2 },
      { id: 'b1', group: 'preferred', weight: 3, partySize: 1 },
      { id: 'c1', group: 'other', weight: 1, partySize: 1 },
      { id: 'd1', group: 'other', weight: 1, partySize: 1 },
    ];
    const parameters = { seats: 4, groups: [{ key: 'preferred', weight: 3, maxBasisPoints: 5000 }, { key: 'other', weight: 1 }] };
    await c.db.db
      .insertInto('draws')
      .values({ id: 'd-' + event.id, event_id: event.id, status: 'drawn', commitment: '0'.repeat(64), secret: '1'.repeat(64), committed_at: c.clock.now().toISOString(), freeze_hash: 'f'.repeat(64), freeze_record: JSON.stringify({ parameters, entries }) })
      .execute();
    await insertParty(c, event, { status: 'confirmed', guests: ['x'], entryId: 'a1', drawPosition: 0 });
    const pref = await insertParty(c, event, { status: 'waitlisted', entryId: 'b1', drawPosition: 1 });
    const o1 = await insertParty(c, event, { status: 'waitlisted', entryId: 'c1', drawPosition: 2 });
    const o2 = await insertParty(c, event, { status: 'waitlisted', entryId: 'd1', drawPosition: 3 });
    const offers = await promoteWaitlist(c.deps, event.id);
    assert.equal(offers.length, 2);
    assert.equal(await statusOf(c.db, pref.id), 'waitlisted', 'preferred already holds its 50 % maximum');
    assert.equal(await statusOf(c.db, o1.id), 'offered');
    assert.equal(await statusOf(c.db, o2.id), 'offered');
  });

  test('two instances at once: the scheduler lease lets one run; without it, the event lock still promotes each place once', async () => {
    const c = ctx();
    const other = await secondInstance(c);
    try {
      const event = await c.makeEvent({ capacity: 6 });
      for (let i = 0; i < 3; i++) await insertParty(c, event, { status: 'offered', guests: ['g'], offerExpiresAt: c.clock.now().toISOString() });
      const wl = await waitlist(c, event, [1, 2, 1, 2, 1, 1, 1, 2]);
      const a = new Scheduler(c.deps, { instanceId: 'a' });
      const b = new Scheduler(other.deps, { instanceId: 'b' });
      const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
      assert.equal([...ranA, ...ranB].filter((j) => j === 'offers').length, 1, 'exactly one instance ran the offers job');
      assert.deepEqual(await Promise.all([a.runDue(), b.runDue()]), [[], []], 'not due again before its interval');
      assert.equal(await heldSeats(c.db, event.id), 6);

      // Free seats again (two promoted parties let their offers lapse) and race the job itself twice, no lease.
      c.clock.advance(event.confirmHours * HOUR);
      await Promise.all([expireOffersAndPromote(c.deps), expireOffersAndPromote(other.deps), expireOffersAndPromote(c.deps)]);
      assert.ok((await heldSeats(c.db, event.id)) <= 6);
      const mails = await offerMails(c, event.id);
      assert.equal(new Set(mails).size, mails.length, 'no party got two offers');
      const offeredAudits = await c.db.db.selectFrom('audit_log').select('subject_id').where('action', '=', 'application.offered').execute();
      assert.equal(new Set(offeredAudits.map((r) => r.subject_id)).size, offeredAudits.length);
      const expired = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('status', '=', 'expired').execute();
      assert.equal(expired.length, 3 + wl.filter((p) => mails.includes(p.email)).length - (await heldParties(c, event.id, 'waitlist')), 'every offer either expired or still holds');
      assert.equal(await countWhere(c.db, 'outbox', { kind: 'offer.expired', event_id: event.id }), expired.length, 'one expiry mail each');
    } finally {
      await other.close();
    }
  });

  // Last: it moves the suite's clock past the intake.
  test('after a real draw: a decline promotes the first waitlisted parties that fit, in draw order', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 12, slug: 'real-draw' });
    await seedVerifiedApplications(c, event.id, 30, `rd${c.dialect}`);
    await commitDraw(c.deps, 'owner', event.id, { publicRandomnessLabel: 'test source' });
    closeAt(c);
    await freezeDraw(c.deps, 'owner', event.id);
    await runDraw(c.deps, 'owner', event.id, { publicRandomnessValue: 'test value' });
    const byPosition = (status: string) =>
      c.db.db.selectFrom('applications').select(['id', 'party_size', 'seats']).where('event_id', '=', event.id).where('status', '=', status).orderBy('draw_position').execute();
    const [first] = await byPosition('offered');
    const before = await byPosition('waitlisted');
    let free = event.capacity - (await heldSeats(c.db, event.id)) + first.seats!;
    const expected: string[] = [];
    for (const w of before) if (w.party_size <= free) (free -= w.party_size), expected.push(w.id);
    const r = await declineApplication(c.deps, first.id);
    assert.ok(expected.length > 0);
    assert.equal(r.promoted, expected.length);
    const promoted = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('offer_source', '=', 'waitlist').orderBy('draw_position').execute();
    assert.deepEqual(promoted.map((p) => p.id), expected);
    assert.ok((await heldSeats(c.db, event.id)) <= event.capacity);
  });
});
