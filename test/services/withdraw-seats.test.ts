import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withdrawApplication } from '../../src/services/applications.ts';
import { confirmOffer } from '../../src/services/confirmations.ts';
import { seatsHeld } from '../../src/services/offers.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';

forEachDialect('withdrawing a party that holds seats', (ctx) => {
  test('a confirmed party that withdraws gives its seats back: tickets voided, the waitlist moves up at once', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 2 });
    const held = await insertParty(c, event, { status: 'offered', guests: ['Guest'] });
    await confirmOffer(c.deps, held.token);
    const waiting = await insertParty(c, event, { status: 'waitlisted', guests: ['Other'], drawPosition: 1, entryId: 'aa01' });
    assert.equal(await seatsHeld(c.db.db, event.id), 2);

    await withdrawApplication(c.deps, held.token);

    const rows = await c.db.db.selectFrom('applications').select(['id', 'status']).where('event_id', '=', event.id).execute();
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    assert.equal(status[held.id], 'withdrawn');
    assert.equal(status[waiting.id], 'offered', 'the waitlisted party got the freed seats');
    assert.equal(await seatsHeld(c.db.db, event.id), 2);
    const tickets = await c.db.db.selectFrom('tickets').select(['voided_at']).where('application_id', '=', held.id).execute();
    assert.equal(tickets.length, 2);
    assert.ok(tickets.every((t) => t.voided_at !== null), 'tickets of the withdrawn party no longer admit anyone');
    // Idempotent: a second withdrawal changes nothing and promotes nobody else.
    await withdrawApplication(c.deps, held.token);
    assert.equal(await seatsHeld(c.db.db, event.id), 2);
  });
});
