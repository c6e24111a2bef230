import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyBundle, type DrawBundle } from '../../src/domain/draw/index.ts';
import { AppError } from '../../src/errors.ts';
import { findDrawByEventId } from '../../src/db/repositories/draws.ts';
import { findApplicationByToken } from '../../src/services/applications.ts';
import { commitDraw, entryIdFor, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { inviteGuest } from '../../src/services/invites.ts';
import { seatsHeld } from '../../src/services/offers.ts';
import { reviewApplication } from '../../src/services/review.ts';
import { forEachDialect } from '../helpers/context.ts';
import { closeAt, seedVerifiedApplications, tokenFromMail } from './draw-fixtures.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

forEachDialect('draw service', (ctx) => {
  test('commit → close → freeze → draw: verifiable bundle, offers within capacity, waitlist in draw order', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 120 });
    const ids = await seedVerifiedApplications(c, event.id, 240);
    await c.db.db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', ids[5]).execute();
    await c.db.db.updateTable('applications').set({ verified: 0 }).where('id', '=', ids[6]).execute();

    // Seats outside the draw: an invite (3) and an approval (party of ids[0]), before the seats are committed.
    await inviteGuest(c.deps, 'owner', event.id, { name: 'Vera VIP', email: 'vip@example.com', partySize: 3, category: 'vip' });
    const approved = await reviewApplication(c.deps, 'owner', ids[0], 'approve', 'long-time supporter');
    const outside = 3 + approved.partySize;
    const committed = await commitDraw(c.deps, 'owner', event.id, {
      randomness: { kind: 'unverified', label: 'test value' },
      groups: [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1, maxBasisPoints: 5000 }],
    });
    assert.match(committed.commitment, /^[0-9a-f]{64}$/);
    await reviewApplication(c.deps, 'owner', ids[1], 'hold');
    await reviewApplication(c.deps, 'owner', ids[2], 'reject', 'spam');

    closeAt(c);
    await assert.rejects(freezeDraw(c.deps, 'owner', event.id), rejects('draw.held_pending'), 'nobody left on hold without a decision');
    await assert.rejects(freezeDraw(c.deps, 'owner', event.id, { groups: [{ key: 'preferred', weight: 4 }, { key: 'other', weight: 1 }], excludeHeld: true }), rejects('draw.parameters_fixed'));
    const frozen = await freezeDraw(c.deps, 'owner', event.id, { groups: [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1, maxBasisPoints: 5000 }], excludeHeld: true });
    assert.equal(frozen.heldExcluded, 1);
    assert.deepEqual(JSON.parse(frozen.exclusions!), { held: 1, rejected: 1, withdrawn: 1, unverified: 1, seated: 2 });
    assert.equal(frozen.status, 'frozen');
    const record = JSON.parse(frozen.freezeRecord!);
    assert.equal(record.parameters.seats, 120 - outside);
    assert.equal(record.entries.length, 240 - 5, 'approved, held, rejected, withdrawn and unverified are not drawn');

    await assert.rejects(runDraw(c.deps, 'owner', event.id), rejects('draw.randomness_required'));
    const { bundle, offers, waitlisted } = await runDraw(c.deps, 'owner', event.id, { publicRandomnessValue: 'the value' });
    assert.deepEqual(verifyBundle(JSON.parse(JSON.stringify(bundle))), { ok: true });
    const stored = await findDrawByEventId(c.db.db, event.id, { withRecords: true });
    assert.equal(stored!.status, 'drawn');
    assert.deepEqual(verifyBundle(JSON.parse(stored!.bundle!)), { ok: true });
    assert.equal(stored!.resultHash, bundle.resultHash);

    assert.equal(offers, bundle.result.selected.length);
    assert.equal(waitlisted, bundle.result.waitlist.length);
    const held = await seatsHeld(c.db.db, event.id);
    assert.ok(held <= 120, `held ${held}`);
    const drawnSeats = Object.values(bundle.result.seatsByGroup).reduce((s, n) => s + n, 0);
    assert.equal(held, outside + drawnSeats);
    assert.ok(drawnSeats <= 120 - outside);

    const rows = await c.db.db.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('entry_id', 'is not', null).execute();
    assert.equal(rows.length, 235);
    const byEntry = new Map(rows.map((r) => [r.entry_id!, r]));
    for (const r of rows) assert.equal(r.entry_id, entryIdFor(c.deps.config.secret, r.id));
    bundle.result.order.forEach((e, i) => assert.equal(byEntry.get(e)!.draw_position, i));
    for (const e of bundle.result.selected) {
      const r = byEntry.get(e)!;
      assert.equal(r.status, 'offered');
      assert.equal(r.offer_source, 'draw');
      assert.equal(r.seats, r.party_size);
    }
    // Waitlist mail: 1-based position among those not drawn, and a working status link.
    const third = byEntry.get(bundle.result.waitlist[2])!;
    assert.equal(third.status, 'waitlisted');
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', third.email).where('kind', '=', 'draw.waitlisted').executeTakeFirstOrThrow());
    assert.match(mail.text_body, third.locale === 'de' ? /Platz 3 der Warteliste/ : /position 3/);
    const app = await findApplicationByToken(c.deps, await tokenFromMail(c, third.email));
    assert.equal(app.id, third.id);
    assert.equal(app.entryId, third.entry_id);

    const offerMail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', byEntry.get(bundle.result.selected[0])!.email).executeTakeFirstOrThrow());
    assert.match(offerMail.subject, /selected|ausgelost/);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('event_id', '=', event.id).where('action', 'like', 'draw.%').orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['draw.committed', 'draw.frozen', 'draw.drawn']);
  });

  test('guards: freeze/draw out of order, twice, while open; no seats given out between freeze and draw', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    await seedVerifiedApplications(c, event.id, 12, 'g');
    await assert.rejects(freezeDraw(c.deps, 'o', event.id), rejects('draw.not_committed'));
    await assert.rejects(runDraw(c.deps, 'o', event.id), rejects('draw.not_committed'));
    await assert.rejects(commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'x', groups: [{ key: 'preferred', weight: 0 }, { key: 'other', weight: 1 }] }), rejects('draw.invalid'));
    await assert.rejects(commitDraw(c.deps, 'o', event.id, { randomness: { kind: 'drand', drawAt: c.clock.now().toISOString() } }), rejects('validation.failed'), 'the round must come after applications close');
    await commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'Lotto numbers of 2026-12-05' });
    await assert.rejects(commitDraw(c.deps, 'o', event.id), rejects('draw.already_committed'));
    await assert.rejects(runDraw(c.deps, 'o', event.id), rejects('draw.not_frozen'));
    await assert.rejects(freezeDraw(c.deps, 'o', event.id), rejects('draw.intake_open'));
    await assert.rejects(
      inviteGuest(c.deps, 'o', event.id, { name: 'Too Big', email: 'big@example.com', partySize: 11, category: 'press' }),
      rejects('selection.no_seats'),
    );
    closeAt(c);
    await assert.rejects(freezeDraw(c.deps, 'o', event.id, { groups: [{ key: 'preferred', weight: 0 }, { key: 'other', weight: 1 }] }), rejects('draw.parameters_fixed'));
    await assert.rejects(freezeDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'another source' }), rejects('draw.parameters_fixed'));
    await freezeDraw(c.deps, 'o', event.id);
    await assert.rejects(freezeDraw(c.deps, 'o', event.id), rejects('draw.already_frozen'));
    await assert.rejects(inviteGuest(c.deps, 'o', event.id, { name: 'Late', email: 'late@example.com', partySize: 1, category: 'staff' }), rejects('draw.frozen'));
    await assert.rejects(runDraw(c.deps, 'o', event.id), rejects('draw.randomness_required'));
    const { bundle } = await runDraw(c.deps, 'o', event.id, { publicRandomnessValue: 'abc123' });
    assert.deepEqual(bundle.publicRandomness, { kind: 'unverified', label: 'Lotto numbers of 2026-12-05', value: 'abc123' });
    assert.deepEqual(verifyBundle(bundle), { ok: true });
    await assert.rejects(runDraw(c.deps, 'o', event.id, { publicRandomnessValue: 'abc123' }), rejects('draw.already_drawn'));
    assert.ok((await seatsHeld(c.db.db, event.id)) <= 10);
  });

  test('an empty draw (no entries) still produces a verifiable bundle', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'test' });
    closeAt(c);
    await freezeDraw(c.deps, 'o', event.id);
    const { bundle, offers } = await runDraw(c.deps, 'o', event.id, { publicRandomnessValue: 'v' });
    assert.equal(offers, 0);
    assert.deepEqual(verifyBundle(bundle as DrawBundle), { ok: true });
  });
});
