import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { linkIn } from '../helpers/smtp-sink.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { assertAccessible, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import { renderOutboxMail } from '../../src/mail/templates.ts';

/**
 * Issue 13 pages in Chromium under the real CSP, axe-clean: the confirm form with guests' addresses, a guest's own
 * ticket page, the organizer's Mails tab and the text editor (with a refusal and a preview).
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

test('confirm with a guest address, the guest ticket page, the Mails tab and the editor: accessible and working', async () => {
  const deps = server.runtime.deps;
  const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'tickets-e2e', capacity: 10 });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  const p = await insertParty(ctx, event, { status: 'offered', name: 'Ada Lovelace', guests: ['محمد عبد الله', 'Mary Somerville'], locale: 'en' });

  const guestSide = await openPage(browser);
  await guestSide.page.goto(`${server.url}/a/${p.token}`);
  await assertAccessible(guestSide.page, 'status page with the confirm form');
  await guestSide.page.getByLabel('Email address of محمد عبد الله (optional)').fill('mohammed@example.org');
  // The guest's mails in their own language, chosen by the applicant.
  await guestSide.page.getByLabel('Language of the mails to محمد عبد الله').selectOption('ar');
  await guestSide.page.getByRole('button', { name: 'Confirm' }).first().click();
  await guestSide.page.waitForURL(/\/tickets\?confirmed=1/);
  await guestSide.page.getByRole('link', { name: 'Download tickets (PDF)' }).waitFor();

  const row = await server.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'mohammed@example.org').executeTakeFirstOrThrow();
  assert.equal(row.locale, 'ar');
  const link = linkIn(renderOutboxMail(row).text, '/t/');
  await guestSide.page.goto(link);
  await guestSide.page.getByRole('heading', { name: 'محمد عبد الله' }).waitFor();
  await assertAccessible(guestSide.page, 'guest ticket page');
  await screenshot(guestSide.page, 'guest-ticket');

  const owner = await createOwner(server);
  const org = await openPage(browser);
  await org.page.goto(`${server.url}/login?next=/admin/events/${event.id}/mail-texts`);
  await org.page.getByLabel('Email address').fill(owner.email);
  await org.page.getByLabel('Password').fill(owner.password);
  await org.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await org.page.waitForURL(new RegExp(`/admin/events/${event.id}/mail-texts$`));
  await assertAccessible(org.page, 'mails tab');
  await screenshot(org.page, 'mail-texts');

  await org.page.getByRole('link', { name: /Place confirmed, Deutsch/ }).click();
  const body = org.page.getByLabel('Text', { exact: true });
  const original = await body.inputValue();
  assert.match(original, /\{link\}/);
  await body.fill(original.replace('{link}', ''));
  await org.page.getByRole('button', { name: 'Save text' }).click();
  await org.page.locator('#error-summary').waitFor();
  assert.equal(await body.inputValue(), original.replace('{link}', '').trim());
  await assertAccessible(org.page, 'mail text editor with an error');
  await body.fill(`${original}\n\nParken am Tor B.`);
  await org.page.getByRole('button', { name: 'Preview' }).click();
  await org.page.getByRole('heading', { name: 'Preview' }).waitFor();
  assert.match(await org.page.locator('.mail-preview').innerText(), /Parken am Tor B\./);
  await assertAccessible(org.page, 'mail text editor with a preview');
  await screenshot(org.page, 'mail-text-preview');
  // Saved: the editor opens with the event's own text, previewed, and offers the reset.
  await org.page.getByRole('button', { name: 'Save text' }).click();
  await org.page.locator('.notice.success').waitFor();
  assert.match(await body.inputValue(), /Parken am Tor B\./);
  assert.match(await org.page.locator('.mail-preview').innerText(), /Parken am Tor B\./);
  assert.equal(await org.page.getByRole('button', { name: /Reset/ }).count(), 1);
  await assertAccessible(org.page, 'mail text editor with the event\'s own text');
  // The refused save answers 422 on purpose; anything else (a CSP violation) is a problem.
  for (const w of [guestSide, org]) assert.deepEqual(w.problems.filter((m) => !m.includes('status of 422')), [], 'no console errors (CSP)');
});
