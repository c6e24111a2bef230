import { EVENT_TABS } from '../../src/http/views/admin/event-tabs.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { submitApplication } from '../../src/services/applications.ts';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';

/**
 * Every event-scoped staff page carries the event's tab bar (one tab current) and a breadcrumb back to the event
 * home, so an organizer never has to type a URL to get back (issue 9: the application detail page had neither).
 */
const tabLinks = (page: string) =>
  [...(page.match(/<nav class="event-tabs"[\s\S]*?<\/nav>/)?.[0] ?? '').matchAll(/<a href="([^"]+)"([^>]*)>/g)].map((m) => ({ href: m[1], current: m[2].includes('aria-current="page"') }));
const eyebrowLinks = (page: string) => [...page.matchAll(/<p class="eyebrow[^"]*">([\s\S]*?)<\/p>/g)].flatMap((p) => [...p[1].matchAll(/href="([^"]+)"/g)].map((m) => m[1]));

forEachDialect('event pages: tab bar and breadcrumb', (ctx) => {
  test('every event page an owner opens has the tabs and a link to the event home', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'nav-pages' });
    const a = await submitApplication(c.deps, event.slug, { name: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', locale: 'en', consent: true, answers: { why: 'Because.', fan: 'yes' }, guests: [] });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const pages: [string, string][] = [
      [`/admin/events/${event.id}`, 'overview'],
      [`/admin/events/${event.id}/applications`, 'applications'],
      [`/admin/applications/${a.id}`, 'applications'],
      [`/admin/events/${event.id}/selection`, 'selection'],
      [`/admin/events/${event.id}/guests`, 'guests'],
      [`/admin/events/${event.id}/offers`, 'guests'],
      [`/admin/events/${event.id}/reveal`, 'reveal'],
      [`/admin/events/${event.id}/edit`, 'settings'],
      [`/admin/events/${event.id}/preview`, 'settings'],
      [`/checkin/${event.id}`, 'checkin'],
    ];
    for (const [url, tab] of pages) {
      const res = await browser.get(url);
      assert.equal(res.statusCode, 200, url);
      const tabs = tabLinks(res.body);
      assert.equal(tabs.length, EVENT_TABS.length, `${url}: every tab`);
      const current = tabs.filter((l) => l.current);
      assert.equal(current.length, 1, `${url}: one current tab`);
      const tabPaths: Record<string, string> = { overview: '', applications: '/applications', selection: '/selection', guests: '/guests', reveal: '/reveal', settings: '/edit' };
      assert.equal(current[0].href, tab === 'checkin' ? `/checkin/${event.id}` : `/admin/events/${event.id}${tabPaths[tab]}`, `${url}: current tab`);
      assert.ok(eyebrowLinks(res.body).includes(tab === 'overview' ? '/admin' : `/admin/events/${event.id}`), `${url}: breadcrumb to the event home`);
    }
    await app.close();
  });

  test('door staff see only the Check-in tab and no link into pages they cannot open', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'nav-door' });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'door', { events: [event.id] }));
    const res = await browser.get(`/checkin/${event.id}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(tabLinks(res.body).map((l) => l.href), [`/checkin/${event.id}`]);
    assert.deepEqual(eyebrowLinks(res.body), []);
    await app.close();
  });
});
