import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countGuestLists, listGuests } from '../../src/services/guest-lists.ts';
import { inviteGuest } from '../../src/services/invites.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';

forEachDialect('guest lists: invited', (ctx) => {
  test('the Invited list holds every invite, also one whose party already held seats from the draw', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    // Drawn first, then invited: the seats stay the draw's (offer_source 'draw'), the party is an invite now.
    const drawn = await insertParty(c, event, { status: 'offered', name: 'Ada Drawn', email: 'ada@example.com' });
    await inviteGuest(c.deps, 'test', event.id, { name: 'Ada Drawn', email: 'ada@example.com', partySize: 1, category: 'press' });
    const fresh = await inviteGuest(c.deps, 'test', event.id, { name: 'Grace Invited', email: 'grace@example.com', partySize: 2, category: 'vip' });
    await insertParty(c, event, { status: 'offered', name: 'Alan Drawn' });

    const rows = await listGuests(c.db.db, { eventId: event.id, list: 'invited', limit: 50 });
    assert.deepEqual(rows.map((r) => r.name).sort(), ['Ada Drawn', 'Grace Invited']);
    assert.deepEqual(rows.map((r) => r.id).sort(), [drawn.id, fresh.applicationId].sort());
    assert.equal((await countGuestLists(c.db.db, event.id)).invited, 2, 'the switcher counts what the list shows');
  });
});
