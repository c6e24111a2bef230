import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { assertAccessible, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import { suppressAddress } from '../../src/mail/suppression.ts';

/** Compose, confirmation and log pages of organizer messages in Chromium under the real CSP: axe-clean, no console errors. */
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

test('messages: compose, confirm and log are accessible; a message is sent from the browser', async () => {
  const deps = server.runtime.deps;
  const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'msg-e2e' });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  const gone = await insertParty(ctx, event, { status: 'offered', name: 'Unreachable Person' });
  for (let i = 0; i < 3; i++) await insertParty(ctx, event, { status: 'confirmed', name: `Guest ${i}`, locale: i ? 'de' : 'en' });
  await suppressAddress(server.db.db, gone.email, '', 'bounce', '5.1.1', deps.clock.now().toISOString());

  const owner = await createOwner(server);
  const org = await openPage(browser);
  await org.page.goto(`${server.url}/login?next=/admin/events/${event.id}/messages`);
  await org.page.getByLabel('Email address').fill(owner.email);
  await org.page.getByLabel('Password').fill(owner.password);
  await org.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await org.page.waitForURL(new RegExp(`/admin/events/${event.id}/messages$`));
  await org.page.getByText('Unreachable Person').waitFor();
  await assertAccessible(org.page, 'messages log');

  await org.page.getByRole('link', { name: 'New message' }).click();
  await org.page.waitForURL(/\/messages\/new$/);
  await assertAccessible(org.page, 'message compose');
  await org.page.getByLabel('Who gets it').selectOption('confirmed');
  // The country picker filters as one types (no round trip; Enter does not send the form) and ticks by name.
  assert.equal(await org.page.getByRole('button', { name: 'Show matching countries' }).isVisible(), false, 'hidden with JavaScript');
  await org.page.locator('#f-country_filter').fill('united st');
  await org.page.locator('#f-country_filter').press('Enter');
  assert.equal(await org.page.locator('.country-list .country-option:not([hidden])').count(), 1, 'only the United States');
  assert.equal(await org.page.locator('#f-countries-DE').isVisible(), false);
  await org.page.getByLabel('United States', { exact: true }).check();
  assert.match(org.page.url(), /\/messages\/new$/, 'still composing');
  await org.page.locator('#f-subject_en').fill('Parking');
  await org.page.locator('#f-body_en').fill('Hello {name}, parking is at gate B.');
  await org.page.getByRole('button', { name: 'Preview and count' }).click();
  await org.page.getByRole('heading', { name: 'Send this message?' }).waitFor();
  assert.equal((await org.page.locator('p.segment').textContent())?.trim(), 'Recipients: Confirmed guests · United States');
  await assertAccessible(org.page, 'message confirm');
  await screenshot(org.page, 'message-confirm');
  await org.page.getByRole('button', { name: 'Send to 3 people' }).click();
  await org.page.waitForURL(/done=queued&n=3/);
  await org.page.getByRole('cell', { name: 'Parking' }).waitFor();
  await assertAccessible(org.page, 'messages log with a message');
  await screenshot(org.page, 'messages-log');
  assert.deepEqual(org.problems, []);
});
