import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { buildTestApp } from '../helpers/http.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';

/**
 * Names and addresses are isolated with <bdi> on every admin list, not only on the application pages: a
 * right-to-left name must not reorder the text around it (the page's numbers, separators, the next column).
 */
forEachDialect('names inside <bdi> on every admin list', (ctx) => {
  test('guest lists, offers, the event home, the door search and the bulk confirmation isolate names', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'bdi-lists', capacity: 10 });
    const name = 'אבי כהן';
    const soon = new Date(c.clock.now().getTime() + 3 * 3_600_000).toISOString();
    await insertParty(c, event, { status: 'offered', name, email: 'avi@example.com', offerExpiresAt: soon });
    const coming = await insertParty(c, event, { status: 'offered', name: `${name} שני`, email: 'avi2@example.com' });
    await confirmApplication(c.deps, coming.id);
    const app = await buildTestApp(c);
    const { browser, csrf } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const bdi = (page: string, what: string, where: string) => assert.ok(page.includes(`<bdi>${what}</bdi>`), `${where}: ${what} inside <bdi>`);
    for (const [url, where] of [
      [`/admin/events/${event.id}/guests?list=offers`, 'open offers'],
      [`/admin/events/${event.id}/offers`, 'offers and deadlines'],
      [`/admin/events/${event.id}`, 'offers expiring soon'],
    ]) {
      const res = await browser.get(url);
      assert.equal(res.statusCode, 200, url);
      bdi(res.body, name, where);
    }
    const guests = await browser.get(`/admin/events/${event.id}/guests?list=offers`);
    bdi(guests.body, 'avi@example.com', 'guest list address');
    const door = await browser.get(`/checkin/${event.id}?q=${encodeURIComponent('שני')}`);
    bdi(door.body, `${name} שני`, 'door search');
    const waiting = await insertParty(c, event, { status: 'submitted', name: 'سارا أحمد', email: 'sara@example.com' });
    const bulk = await browser.post(`/admin/events/${event.id}/applications/bulk`, { _csrf: csrf, ids: waiting.id, decision: 'reject', note: '', back: '' });
    assert.equal(bulk.statusCode, 200);
    bdi(bulk.body, 'سارا أحمد', 'bulk confirmation');
    await app.close();
  });
});
