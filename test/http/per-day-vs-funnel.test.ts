import { test } from 'node:test';
import assert from 'node:assert/strict';
import { submitApplication } from '../../src/services/applications.ts';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';

/** The per-day chart counts arrivals, the funnel the applications that still exist: when they differ, the page says why. */
forEachDialect('overview: received per day vs applied', (ctx) => {
  test('an erased application leaves the chart at 3 and the funnel at 2, and the chart explains the difference', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'per-day-funnel' });
    const ids: string[] = [];
    for (const i of [1, 2, 3]) {
      ids.push((await submitApplication(c.deps, event.slug, { name: `Person ${i}`, email: `p${i}@example.com`, country: 'DE', locale: 'en', consent: true, answers: { why: 'Because.', fan: 'yes' }, guests: [] })).id);
    }
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const before = await browser.get(`/admin/events/${event.id}?lang=en`);
    assert.doesNotMatch(before.body, /still exist/, 'no note while the numbers agree');
    // Erased as the purge of unconfirmed applications does: the row goes, the arrival stays counted.
    await c.db.db.deleteFrom('applications').where('id', '=', ids[0]).execute();
    const en = await browser.get(`/admin/events/${event.id}?lang=en`);
    assert.match(en.body, /The funnel counts the 2 applications that still exist; 1 received application has been erased since/);
    const de = await browser.get(`/admin/events/${event.id}?lang=de`);
    assert.match(de.body, /Der Trichter zählt die 2 Bewerbungen, die es noch gibt; 1 eingegangene Bewerbung wurde seither gelöscht/);
    await app.close();
  });
});
