import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { connectDatabase, type Database } from '../../src/db/connect.ts';
import { formatDateTime } from '../../src/i18n/index.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { extendOffer, remindExpiringOffers } from '../../src/services/deadlines.ts';
import type { Deps } from '../../src/services/deps.ts';
import { inviteGuest } from '../../src/services/invites.ts';
import { Scheduler } from '../../src/services/scheduler.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';

const HOUR = 3_600_000;
const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

/** On PostgreSQL a second connection pool, like a second app instance; SQLite has one writer anyway. */
async function secondInstance(c: TestContext): Promise<{ deps: Deps; close(): Promise<void> }> {
  if (c.dialect === 'sqlite') return { deps: { ...c.deps }, close: async () => {} };
  const database: Database = await connectDatabase({ url: process.env.TEST_DATABASE_URL!, dataDir: c.db.dataDir, schema: c.db.schema!, poolSize: 5 });
  return { deps: { ...c.deps, database }, close: () => database.close() };
}

/** Tests share one database per dialect: mails are counted per event. */
async function mails(c: TestContext, eventId: string, kind: string, to?: string) {
  let q = c.db.db.selectFrom('outbox').selectAll().where('kind', '=', kind).where('event_id', '=', eventId);
  if (to) q = q.where('to_address', '=', to);
  return (await q.execute()).map(withRenderedMail);
}

forEachDialect('deadlines', (ctx) => {
  test('invites: the event window for invites, or the deadline the organizer gave this one', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20, inviteConfirmHours: 240, confirmUntil: '2026-11-20T17:00:00.000Z' });
    const a = await inviteGuest(c.deps, 'owner', event.id, { name: 'Ada', email: 'ada-inv@example.com', partySize: 1, category: 'vip' });
    const b = await inviteGuest(c.deps, 'owner', event.id, { name: 'Bo', email: 'bo-inv@example.com', partySize: 1, category: 'press', confirmBy: '2026-11-03T18:00:00.000Z' });
    const row = (id: string) => c.db.db.selectFrom('applications').select(['offer_expires_at', 'offer_reminded_at']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal((await row(a.applicationId)).offer_expires_at, '2026-11-11T12:00:00.000Z', '240 h after now');
    assert.equal((await row(b.applicationId)).offer_expires_at, '2026-11-03T18:00:00.000Z');
    assert.equal((await row(b.applicationId)).offer_reminded_at, null, '54 h ahead: a reminder will be due');
    await assert.rejects(
      inviteGuest(c.deps, 'owner', event.id, { name: 'Cy', email: 'cy-inv@example.com', partySize: 1, category: 'vip', confirmBy: '2026-11-01T11:00:00.000Z' }),
      rejects('validation.failed'),
    );
  });

  test('the reminder goes 24 h before the deadline, exactly once, even with two instances at once, in the party language', async () => {
    const c = ctx();
    const other = await secondInstance(c);
    try {
      const event = await c.makeEvent({ capacity: 20 });
      const start = c.clock.now().getTime();
      const de = await insertParty(c, event, { status: 'offered', name: 'Erika', locale: 'de', offerExpiresAt: new Date(start + 72 * HOUR).toISOString() });
      const en = await insertParty(c, event, { status: 'offered', name: 'Grace', locale: 'en', offerExpiresAt: new Date(start + 80 * HOUR).toISOString() });
      await remindExpiringOffers(c.deps);
      assert.equal((await mails(c, event.id, 'offer.reminder')).length, 0, 'nothing due 72 h ahead');
      c.clock.advance(47 * HOUR);
      await remindExpiringOffers(c.deps);
      assert.equal((await mails(c, event.id, 'offer.reminder')).length, 0, '25 h ahead: not yet');
      c.clock.advance(2 * HOUR);
      await Promise.all([remindExpiringOffers(c.deps), remindExpiringOffers(other.deps), remindExpiringOffers(c.deps)]);
      const sent = await mails(c, event.id, 'offer.reminder');
      assert.equal(sent.length, 1);
      assert.equal(sent[0].to_address, de.email);
      assert.match(sent[0].subject, /Erinnerung/);
      assert.match(sent[0].text_body, /bis Mittwoch, 4\. November 2026 um 07:00/);
      assert.match(sent[0].text_body, /http:\/\/admit\.test\/a\//, 'a fresh status link');
      await remindExpiringOffers(c.deps);
      assert.equal((await mails(c, event.id, 'offer.reminder')).length, 1, 'never twice');

      // Through the scheduler: two instances, one lease; the English party is due 8 h later.
      c.clock.advance(8 * HOUR);
      const a = new Scheduler(c.deps, { instanceId: 'a' });
      const b = new Scheduler(other.deps, { instanceId: 'b' });
      const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
      assert.equal([...ranA, ...ranB].filter((j) => j === 'offer-reminders').length, 1);
      const en1 = await mails(c, event.id, 'offer.reminder', en.email);
      assert.equal(en1.length, 1);
      assert.match(en1[0].subject, /Reminder: please confirm your place/);
      assert.equal((await mails(c, event.id, 'offer.reminder')).length, 2);
    } finally {
      await other.close();
    }
  });

  test('an organizer extends an offer: later only, audited, mailed, and reminded again before the new deadline', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20 });
    const start = c.clock.now().getTime();
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', locale: 'en', offerExpiresAt: new Date(start + 30 * HOUR).toISOString() });
    c.clock.advance(7 * HOUR);
    await remindExpiringOffers(c.deps);
    assert.equal((await mails(c, event.id, 'offer.reminder')).length, 1);
    await assert.rejects(extendOffer(c.deps, 'owner-1', p.id, new Date(start + 20 * HOUR).toISOString()), rejects('validation.failed'));
    await assert.rejects(extendOffer(c.deps, 'owner-1', p.id, 'tomorrow'), rejects('validation.failed'));
    const later = new Date(start + 5 * 24 * HOUR).toISOString();
    assert.deepEqual(await extendOffer(c.deps, 'owner-1', p.id, later), { expiresAt: later });
    const row = await c.db.db.selectFrom('applications').select(['offer_expires_at', 'offer_reminded_at']).where('id', '=', p.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { offer_expires_at: later, offer_reminded_at: null });
    const audit = await c.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'offer.extended').where('subject_id', '=', p.id).executeTakeFirstOrThrow();
    assert.equal(audit.actor, 'owner-1');
    assert.deepEqual(JSON.parse(audit.data), { from: new Date(start + 30 * HOUR).toISOString(), to: later });
    const [mail] = await mails(c, event.id, 'offer.extended', p.email);
    assert.match(mail.subject, /More time to confirm/);
    assert.ok(mail.text_body.includes(`by ${formatDateTime(later, 'en', event.timezone)}.`), 'the new deadline, in the event zone');
    c.clock.advance(4 * 24 * HOUR - 7 * HOUR + HOUR);
    await remindExpiringOffers(c.deps);
    assert.equal((await mails(c, event.id, 'offer.reminder')).length, 2, 'reminded again for the new deadline');

    // An offer that is no longer open cannot be extended.
    const gone = await insertParty(c, event, { status: 'expired', offerExpiresAt: null });
    await assert.rejects(extendOffer(c.deps, 'owner-1', gone.id, later), rejects('offer.not_offered'));
  });
});
