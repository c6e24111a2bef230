import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { formatDoorCode } from '../../src/domain/door-code.ts';
import { findEventById } from '../../src/db/repositories/events.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertAccessible, launchBrowser, openPage, screenshot, SCREENSHOT_DIR } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * In Chromium: the event editor used with the keyboard only — the address suggested from the title, countries
 * found with the filter and ticked with the space bar, Enter saves — with axe on the editor; and the door typing
 * a ticket's short code in lowercase on a phone.
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

let owners = 0;
async function signIn(page: import('playwright-core').Page, next: string) {
  const owner = await createOwner(server, `organizer-${++owners}@example.com`);
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(new RegExp(`${next.replace(/[/?]/g, (c) => `\\${c}`)}$`));
}

test('event editor with the keyboard only: slug from the title, countries by filter and space bar, Enter saves; axe clean', async () => {
  const { page, problems } = await openPage(browser);
  await signIn(page, '/admin/events/new');
  await assertAccessible(page, 'new event editor');
  await screenshot(page, 'event-editor-desktop');

  // The title, typed: the address follows (event-editor.js).
  await page.locator('#f-content_en_title').focus();
  await page.keyboard.type('Harbour Night 2026');
  assert.equal(await page.locator('#f-slug').inputValue(), 'harbour-night-2026');

  // Countries: type into the filter, Enter jumps to the first match, Space ticks it.
  await page.locator('#f-country_filter').focus();
  await page.keyboard.type('germ');
  assert.equal(await page.locator('.country-list .country-option:not([hidden])').count(), 1);
  assert.match((await page.locator('#country-count').textContent()) ?? '', /^1 countries shown$/);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'DE');
  await page.keyboard.press('Space');
  // Back to the filter (the no-JS "Show matching" button is hidden, so it is the previous stop), another country.
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-country_filter');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('aust');
  assert.deepEqual(await page.locator('.country-list .country-option:not([hidden]) input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), ['AU', 'AT']);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'AT', 'Tab goes to the next visible country');
  await page.keyboard.press('Space');
  await assertAccessible(page, 'editor with a country filter');

  // Enter in a text field saves (the form's first submit button is "Create").
  await page.locator('#f-content_en_title').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/events\/[^/]+\/edit\?saved=1$/);
  const id = page.url().match(/\/admin\/events\/([^/]+)\/edit/)![1];
  const event = (await findEventById(server.db.db, id))!;
  assert.equal(event.slug, 'harbour-night-2026');
  assert.deepEqual([...event.preferredCountries].sort(), ['AT', 'DE']);
  assert.match(await page.locator('.country-chosen').innerText(), /Austria[\s\S]*Germany/);
  await assertAccessible(page, 'saved event editor');

  // The question buttons work from the keyboard too: "Add a question" re-renders with focus on the new question.
  await page.locator('#add-question').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'f-questions_2_label_en');
  assert.equal(await page.locator('fieldset.question').count(), 3);

  const phone = await openPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(phone.page, `/admin/events/${id}/edit`);
  await screenshot(phone.page, 'event-editor-phone');
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await phone.page.locator('fieldset.countries').screenshot({ path: join(SCREENSHOT_DIR, 'event-editor-countries-phone.png') });
  await phone.page.locator('fieldset.question').first().screenshot({ path: join(SCREENSHOT_DIR, 'event-editor-question-phone.png') });
  await assertAccessible(phone.page, 'event editor on a phone');
  await phone.context.close();
  assert.deepEqual(problems, [], 'no console errors, no CSP violations');
});

test('the door types a short code in lowercase on a phone; a typo is refused with a clear message', async () => {
  const deps = server.runtime.deps;
  const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'door-typing', capacity: 4 });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  const party = await insertParty(ctx, event, { status: 'offered', name: 'Ada Lovelace', guests: ['Mary Somerville'] });
  await confirmApplication(deps, party.id);
  const tickets = await server.db.db.selectFrom('tickets').select(['door_code', 'position']).where('application_id', '=', party.id).orderBy('position').execute();
  const code = tickets[1].door_code!;

  // Reduced motion: axe reads the result's colours, not a frame of its flash animation.
  const { page, problems } = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, reducedMotion: 'reduce' });
  await signIn(page, `/checkin/${event.id}`);
  await assertAccessible(page, 'door page');
  const field = page.getByLabel('Ticket code');
  // A swapped pair of symbols: the check symbol catches it.
  const s = code;
  const i = [...s].findIndex((ch, j) => j < 8 && ch !== s[j + 1]);
  await field.fill((s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2)).toLowerCase());
  await field.press('Enter');
  await page.getByText('Door code mistyped — please check it again').waitFor();
  await page.getByLabel('Ticket code').fill(formatDoorCode(code).toLowerCase().replace('-', ''));
  await page.getByLabel('Ticket code').press('Enter');
  await page.getByText('Welcome — checked in').waitFor();
  await page.getByText('Mary Somerville').first().waitFor();
  assert.equal(await page.locator('#count-arrived').textContent(), '1');
  await assertAccessible(page, 'door page after a typed code');
  await screenshot(page, 'door-typed-code-phone');

  // Name search shows the party.
  await page.getByLabel('Search a name').fill('ada');
  await page.getByLabel('Search a name').press('Enter');
  await page.getByText('Party of 2, 1 checked in:').waitFor();
  await assertAccessible(page, 'door name search with the party');
  await screenshot(page, 'door-party-search-phone', false);
  // The refused typo is answered 422 (the page says why); anything else would be a real problem.
  assert.deepEqual(problems.filter((p) => !/status of 422/.test(p)), []);
});
