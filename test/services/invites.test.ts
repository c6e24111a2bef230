import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { findApplicationById } from '../../src/db/repositories/applications.ts';
import { findApplicationByToken, submitApplication } from '../../src/services/applications.ts';
import { inviteGuest, inviteGuests, parseInviteCsv } from '../../src/services/invites.ts';
import { seatsHeld } from '../../src/services/offers.ts';
import { reviewApplication } from '../../src/services/review.ts';
import { forEachDialect } from '../helpers/context.ts';
import { seedVerifiedApplications, tokenFromMail } from './draw-fixtures.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

test('CSV: header, quotes, separators, blank lines; bad lines are named', () => {
  const { rows, errors } = parseInviteCsv('name,email,party_size,category\n"Doe, Jane",jane@example.com,2,VIP\n\nBob;bob@example.com;1;press\nBad,not-an-email,1,vip\nEve,eve@example.com,2,unknown');
  assert.deepEqual(rows, [
    { name: 'Doe, Jane', email: 'jane@example.com', partySize: 2, category: 'vip' },
    { name: 'Bob', email: 'bob@example.com', partySize: 1, category: 'press' },
  ]);
  assert.deepEqual(errors.map((e) => e.params?.line), [5, 6]);
});

forEachDialect('invites and review', (ctx) => {
  test('an invite creates a verified invite with placeholder guests, holds seats and mails a working confirm link', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const r = await inviteGuest(c.deps, 'owner', event.id, { name: 'Petra Press', email: 'petra@example.com', partySize: 3, category: 'press', locale: 'de' });
    assert.deepEqual([r.created, r.offered], [true, true]);
    const app = (await findApplicationById(c.db.db, r.applicationId))!;
    assert.equal(app.kind, 'invite');
    assert.equal(app.category, 'press');
    assert.equal(app.verified, true);
    assert.equal(app.status, 'offered');
    assert.equal(app.offerSource, 'invite');
    assert.deepEqual(app.guests.map((g) => g.name), ['Gast 1', 'Gast 2']);
    assert.equal(app.offerExpiresAt, new Date(c.clock.now().getTime() + event.confirmHours * 3_600_000).toISOString());
    assert.equal(await seatsHeld(c.db.db, event.id), 3);
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'petra@example.com').executeTakeFirstOrThrow());
    assert.equal(mail.kind, 'offer.invite');
    assert.match(mail.subject, /Sie sind eingeladen/);
    assert.match(mail.text_body, /bestätigen Sie bis/);
    assert.equal((await findApplicationByToken(c.deps, await tokenFromMail(c, 'petra@example.com'))).id, app.id);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', app.id).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['application.offered', 'application.invited']);

    // Capacity is shared: 7 seats left.
    await assert.rejects(
      inviteGuests(c.deps, 'owner', event.id, [
        { name: 'A', email: 'a@example.com', partySize: 4, category: 'vip' },
        { name: 'B', email: 'b@example.com', partySize: 4, category: 'vip' },
      ]),
      rejects('selection.no_seats'),
    );
    assert.equal(await seatsHeld(c.db.db, event.id), 3, 'all or nothing');
  });

  test('inviting an address that already applied turns that application into the invite', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const input = { name: 'Ada', email: 'Ada@Example.com', country: 'US', locale: 'en', consent: true, answers: { why: 'x' }, guests: [{ name: 'Bo', relation: 'friend' }] };
    await submitApplication(c.deps, event.slug, input);
    const r = await inviteGuest(c.deps, 'owner', event.id, { name: 'Ada L.', email: 'ada@example.com', partySize: 1, category: 'partner' });
    assert.equal(r.created, false);
    const app = (await findApplicationById(c.db.db, r.applicationId))!;
    assert.deepEqual([app.kind, app.status, app.verified, app.partySize, app.name], ['invite', 'offered', true, 2, 'Ada']);
    const again = await inviteGuest(c.deps, 'owner', event.id, { name: 'Ada', email: 'ada@example.com', partySize: 1, category: 'partner' });
    assert.equal(again.offered, false, 'already holds seats: no second offer');
    assert.equal(await seatsHeld(c.db.db, event.id), 2);
  });

  test('review: approve makes an offer, reject/hold/release move the status; notes stay internal; unverified cannot be reviewed', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 50 });
    const [a, b, d] = await seedVerifiedApplications(c, event.id, 3, 'rv');
    const approved = await reviewApplication(c.deps, 'rev', a, 'approve', 'keynote speaker');
    assert.deepEqual([approved.status, approved.offerSource, approved.reviewNote], ['offered', 'review', 'keynote speaker']);
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', approved.email).executeTakeFirstOrThrow());
    assert.equal(mail.kind, 'offer.review');
    assert.doesNotMatch(mail.text_body, /keynote/);
    await assert.rejects(reviewApplication(c.deps, 'rev', a, 'reject'), rejects('review.not_allowed'));

    assert.equal((await reviewApplication(c.deps, 'rev', b, 'hold', 'check ID')).status, 'held');
    assert.equal((await reviewApplication(c.deps, 'rev', b, 'reject')).status, 'rejected');
    const released = await reviewApplication(c.deps, 'rev', b, 'release');
    assert.deepEqual([released.status, released.reviewNote], ['submitted', 'check ID']);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', b).orderBy('id').execute();
    assert.deepEqual(audit.map((x) => x.action), ['application.held', 'application.rejected', 'application.released']);

    await c.db.db.updateTable('applications').set({ verified: 0 }).where('id', '=', d).execute();
    await assert.rejects(reviewApplication(c.deps, 'rev', d, 'approve'), rejects('review.not_allowed'));
  });
});
