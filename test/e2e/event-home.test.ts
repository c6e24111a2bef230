import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty, waitlist } from '../helpers/after-draw.ts';
import { assertAccessible, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';

/**
 * The organizer's event home and Guests tab in Chromium under the real CSP: no console errors (a CSP violation
 * is one), axe-clean at desktop and phone width, the tab bar scrolls sideways on a phone instead of overflowing.
 */
let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer({ seedDemo: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('event home and guest lists: accessible, CSP-clean, usable on a phone', async () => {
  const deps = server.runtime.deps;
  const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'home-e2e', capacity: 40 });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  await seedVerifiedApplications(ctx, event.id, 60, 'e2e');
  for (const [i, status] of ['offered', 'offered', 'confirmed', 'confirmed', 'declined', 'expired'].entries()) {
    await insertParty(ctx, event, { status, name: `Party ${i}`, guests: i % 2 ? ['Guest'] : [], drawPosition: i });
  }
  await waitlist(ctx, event, [1, 2, 3, 1, 2]);
  // Received per day as the intake counts it (a fortnight of arrivals).
  const days = Array.from({ length: 14 }, (_, i) => ({ event_id: event.id, day: `2026-11-${String(i + 1).padStart(2, '0')}`, country: i % 3 ? 'US' : 'DE', shard: 0, received: 3 + ((i * 5) % 11), people: 6 }));
  await server.db.db.insertInto('intake_counts').values(days).execute();

  const owner = await createOwner(server);
  const org = await openPage(browser);
  await org.page.goto(`${server.url}/login?next=/admin/events/${event.id}`);
  await org.page.getByLabel('Email address').fill(owner.email);
  await org.page.getByLabel('Password').fill(owner.password);
  await org.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await org.page.waitForURL(new RegExp(`/admin/events/${event.id}$`));
  assert.equal(await org.page.locator('figure.chart svg').count() >= 4, true);
  await assertAccessible(org.page, 'event home');
  await screenshot(org.page, 'event-home-desktop');

  // A chart's numbers open as a table.
  await org.page.locator('#chart-funnel summary').click();
  await org.page.locator('#chart-funnel table').waitFor();

  for (const [path, label] of [
    ['guests?list=waitlist', 'guests waitlist'],
    ['guests?list=offers', 'guests offers'],
    ['applications', 'applications'],
    ['selection', 'selection'],
    ['reveal', 'time and venue'],
    ['edit', 'settings'],
  ] as const) {
    await org.page.goto(`${server.url}/admin/events/${event.id}/${path}`);
    assert.equal(await org.page.locator('nav.event-tabs [aria-current="page"]').count(), 1, `${label}: one current tab`);
    await assertAccessible(org.page, label);
  }

  const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await phone.context.addCookies(await org.context.cookies());
  await phone.page.goto(`${server.url}/admin/events/${event.id}`);
  await assertAccessible(phone.page, 'event home on a phone');
  const overflow = await phone.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, 'nothing wider than the phone: the tab bar scrolls inside itself');
  await screenshot(phone.page, 'event-home-phone');
  await phone.page.goto(`${server.url}/admin/events/${event.id}/guests?list=waitlist`);
  await assertAccessible(phone.page, 'guests on a phone');
  await screenshot(phone.page, 'guests-phone');

  assert.deepEqual([...org.problems, ...phone.problems], [], 'no console errors (CSP violations included)');
});
