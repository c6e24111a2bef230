import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countApplicationsByCountry,
  countApplicationsByStatus,
  maintainedCounts,
  recountApplications,
} from '../../src/db/repositories/applications.ts';
import {
  editApplication,
  purgeUnverifiedApplications,
  submitApplication,
  verifyApplication,
  withdrawApplication,
} from '../../src/services/applications.ts';
import { commitDraw, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { inviteGuest } from '../../src/services/invites.ts';
import { erasePersonalData } from '../../src/services/retention.ts';
import { reviewApplication } from '../../src/services/review.ts';
import { receivedByDay } from '../../src/intake/stats.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { closeAt, seedVerifiedApplications, tokenFromMail } from './draw-fixtures.ts';
import { applicationInput } from '../helpers/application-input.ts';

const DAY = 86_400_000;

const input = (email: string, over: Parameters<typeof applicationInput>[1] = {}) => applicationInput(email, { answers: { why: 'I love launches' }, ...over });

/** The maintained counters (migration 006 triggers) equal a GROUP BY over the rows, and are not empty. */
async function assertCountsExact(c: TestContext, eventId: string, step: string) {
  const recount = await recountApplications(c.db.db, eventId);
  assert.deepEqual(await maintainedCounts(c.db.db, eventId), recount, `counters after ${step}`);
  return recount;
}

const n = (rows: { status: string; verified: number; n: number }[], status: string, verified?: number) =>
  rows.filter((r) => r.status === status && (verified === undefined || r.verified === verified)).reduce((s, r) => s + r.n, 0);

forEachDialect('counts', (ctx) => {
  test('counts by status and country stay exact through submit, verify, edit, withdraw, review, invite, draw, purge and erasure', async () => {
    const c = ctx();
    const start = c.clock.now().getTime();
    const event = await c.makeEvent({
      capacity: 8,
      maxPartySize: 4,
      startsAt: new Date(start + 40 * DAY).toISOString(),
      endsAt: new Date(start + 40 * DAY + 4 * 3_600_000).toISOString(),
    });
    const other = await c.makeEvent();
    await assertCountsExact(c, event.id, 'nothing');

    // Submit through the intake (group commit), also a repeat of the same address (no new row).
    const emails = ['ada@example.com', 'bob@example.com', 'cy@example.com', 'di@example.com', 'ed@example.com'];
    await Promise.all(emails.map((e, i) => submitApplication(c.deps, event.slug, input(e, { country: i % 2 ? 'DE' : 'US' }))));
    await submitApplication(c.deps, event.slug, input('ADA@example.com'));
    await submitApplication(c.deps, other.slug, input('zed@example.com', { country: 'FR' }));
    assert.deepEqual(await countApplicationsByCountry(c.db.db, other.id), [{ country: 'FR', n: 1, people: 2 }]);
    let counts = await assertCountsExact(c, event.id, 'submit');
    assert.equal(n(counts, 'submitted', 0), 5);
    assert.deepEqual(
      (await countApplicationsByStatus(c.db.db, event.id)).map((r) => [r.status, r.verified, r.n, r.people]),
      [['submitted', 0, 5, 10]],
    );
    assert.deepEqual(await countApplicationsByCountry(c.db.db, event.id), [
      { country: 'US', n: 3, people: 6 },
      { country: 'DE', n: 2, people: 4 },
    ]);
    assert.deepEqual(await receivedByDay(c.db.db, event.id), [{ day: '2026-11-01', received: 5, people: 10 }]);

    // Verify four, edit one (country and party change), withdraw one.
    const tokens = new Map<string, string>();
    for (const e of emails) tokens.set(e, await tokenFromMail(c, e));
    for (const e of emails.slice(0, 4)) await verifyApplication(c.deps, tokens.get(e)!);
    counts = await assertCountsExact(c, event.id, 'verify');
    assert.equal(n(counts, 'submitted', 1), 4);
    await editApplication(c.deps, tokens.get('bob@example.com')!, input('bob@example.com', { country: 'PL', guests: [] }));
    counts = await assertCountsExact(c, event.id, 'edit');
    assert.deepEqual(
      (await countApplicationsByCountry(c.db.db, event.id)).find((r) => r.country === 'PL'),
      { country: 'PL', n: 1, people: 1 },
    );
    await withdrawApplication(c.deps, tokens.get('cy@example.com')!);
    counts = await assertCountsExact(c, event.id, 'withdraw');
    assert.equal(n(counts, 'withdrawn'), 1);
    assert.deepEqual(await receivedByDay(c.db.db, event.id), [{ day: '2026-11-01', received: 5, people: 10 }], '"received" is not lowered');

    // The organizer: review decisions, an invite.
    const byEmail = async (e: string) => (await c.db.db.selectFrom('applications').select('id').where('email', '=', e).where('event_id', '=', event.id).executeTakeFirstOrThrow()).id;
    await reviewApplication(c.deps, 'owner', await byEmail('ada@example.com'), 'approve');
    await assertCountsExact(c, event.id, 'approve');
    await reviewApplication(c.deps, 'owner', await byEmail('di@example.com'), 'hold');
    await assertCountsExact(c, event.id, 'hold');
    await reviewApplication(c.deps, 'owner', await byEmail('di@example.com'), 'release');
    await assertCountsExact(c, event.id, 'release');
    await inviteGuest(c.deps, 'owner', event.id, { name: 'Vera VIP', email: 'vip@example.com', partySize: 2, category: 'vip' });
    await inviteGuest(c.deps, 'owner', event.id, { name: 'Bob', email: 'bob@example.com', partySize: 1, category: 'press' });
    await assertCountsExact(c, event.id, 'invite');

    // Rows written directly (as the draw fixtures do), then the draw: offers and waitlist in bulk updates.
    await seedVerifiedApplications(c, event.id, 30, `${event.id}-p`);
    await assertCountsExact(c, event.id, 'bulk insert');
    await commitDraw(c.deps, 'owner', event.id, { publicRandomnessLabel: 'test source' });
    closeAt(c);
    await freezeDraw(c.deps, 'owner', event.id);
    await runDraw(c.deps, 'owner', event.id, { publicRandomnessValue: 'test value' });
    counts = await assertCountsExact(c, event.id, 'draw');
    assert.ok(n(counts, 'waitlisted') > 0 && n(counts, 'offered') > 0, 'the draw moved applications');

    // Retention: the unverified one is purged (a delete), later everyone is erased (status kept).
    c.clock.advance(4 * DAY);
    assert.equal(await purgeUnverifiedApplications(c.deps), 2, 'ed here, zed in the other event');
    counts = await assertCountsExact(c, event.id, 'purge');
    assert.equal(n(counts, 'submitted', 0), 0);
    c.clock.set(new Date(Date.parse(event.endsAt!) + (event.retentionDays + 1) * DAY));
    assert.ok((await erasePersonalData(c.deps)) > 0);
    await assertCountsExact(c, event.id, 'erasure');

    // The other event's counters only ever saw its own one application, now purged.
    assert.deepEqual(await countApplicationsByCountry(c.db.db, other.id), []);
    assert.deepEqual(await assertCountsExact(c, other.id, 'all steps (other event)'), []);
  });

  test('concurrent intake batches and deletes keep the counters exact', async () => {
    const c = ctx();
    const event = await c.makeEvent({ maxPartySize: 4 });
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        submitApplication(c.deps, event.slug, input(`p${i}@example.com`, { country: ['US', 'DE', 'FR'][i % 3], guests: i % 4 ? [] : [{ name: 'Grace Hopper', relation: 'family' }] })),
      ),
    );
    await assertCountsExact(c, event.id, '120 concurrent submissions');
    await c.db.db.updateTable('applications').set({ verified: 1 }).where('event_id', '=', event.id).where('country', '=', 'DE').execute();
    await c.db.db.deleteFrom('application_flags').where('event_id', '=', event.id).execute();
    await c.db.db.deleteFrom('application_links').execute();
    await c.db.db.deleteFrom('applications').where('event_id', '=', event.id).where('country', '=', 'FR').execute();
    const counts = await assertCountsExact(c, event.id, 'bulk update and delete');
    assert.equal(counts.reduce((s, r) => s + r.n, 0), 80);
  });
});
