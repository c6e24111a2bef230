import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Event } from '../../src/domain/event.ts';
import { deliveredText } from '../helpers/mailbox.ts';
import { submitApplication, verifyApplication } from '../../src/services/applications.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { createEvent } from '../../src/services/events.ts';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';

const NAMES = ['Jürgen Müller', 'Ada Lovelace', 'Grace Hopper', 'Zoë Ørsted', 'Alan Turing', 'Hedy Lamarr', 'Radia Perlman', 'Ken Thompson'];

/**
 * Review at scale as an organizer does it, without JavaScript on the page: search ignoring accents, tick
 * applications, choose "Reject" with a reason and the kind mail, read the confirmation page with the mail in each
 * language, confirm. Every page passes axe; screenshots at desktop and phone width go to the temp dir.
 */
describe('review: bulk reject with the confirmation preview, in Chromium [sqlite]', () => {
  let server: TestServer;
  let browser: Browser;
  let event: Event;
  let org: WatchedPage;

  before(async () => {
    server = await startTestServer({ seedDemo: false });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('applications arrive and are verified', async () => {
    const deps = server.runtime.deps;
    event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'review-e2e' });
    for (const [i, name] of NAMES.entries()) {
      await submitApplication(deps, event.slug, {
        name,
        email: `person${i}@example.com`,
        country: i % 2 ? 'US' : 'DE',
        locale: i % 2 ? 'en' : 'de',
        consent: true,
        answers: { why: 'I have followed the products for years.', fan: 'yes' },
        guests: i === 2 ? [{ name: 'José Núñez', relation: 'friend' }] : [],
      });
    }
    // From the delivered copies: the outbox erases a mail's links once it is sent (ADR 0007), which may be now.
    const mails = await server.db.db.selectFrom('outbox').select('id').where('event_id', '=', event.id).where('kind', '=', 'application.verify').execute();
    for (const m of mails) await verifyApplication(deps, (await deliveredText(server.db.dataDir, m.id)).match(/\/a\/([A-Za-z0-9_.-]+)/)![1]);
  });

  test('the organizer searches, ticks three, rejects them with a reason after reading every mail', async () => {
    const owner = await createOwner(server);
    org = await openPage(browser);
    const { page } = org;
    const list = `${server.url}/admin/events/${event.id}/applications`;
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/admin/events/${event.id}/applications`)}`);
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await Promise.all([page.waitForURL(/\/applications$/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await assertAccessible(page, 'applications list with bulk review');
    await screenshot(page, 'review-list-desktop');

    // Search ignores case and accents and finds guests.
    await page.getByLabel('Name or email').fill('NUNEZ');
    await Promise.all([page.waitForURL(/q=NUNEZ/), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.deepEqual(await page.locator('tbody th[scope=row]').allTextContents(), ['Grace Hopper']);

    // Sorted by name, tick three (two English, one German), reject with the mail.
    await page.goto(`${list}?sort=name`);
    for (const name of ['Ada Lovelace', 'Jürgen Müller', 'Zoë Ørsted']) await page.getByLabel(`Select ${name}`).check();
    await page.getByLabel('Decision').selectOption('reject');
    await page.getByLabel('Reason (internal)').fill('Venue is full');
    assert.equal(await page.getByLabel('When rejecting: send the applicant a kind mail in their language').isChecked(), true);
    await Promise.all([page.waitForURL(/\/applications\/bulk$/), page.getByRole('button', { name: 'Review selected…' }).click()]);
    assert.equal(await page.locator('h1').textContent(), 'Reject 3 applications');
    await page.getByRole('heading', { name: 'Rejection · English · 2 recipients' }).waitFor();
    await page.getByRole('heading', { name: 'Rejection · Deutsch · 1 recipient' }).waitFor();
    assert.match(await page.locator('.mail-preview [lang=de] pre').textContent() ?? '', /keinen Platz anbieten/);
    await assertAccessible(page, 'bulk confirmation with mail previews');
    await screenshot(page, 'review-confirm-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'review-confirm-phone');
    await page.setViewportSize({ width: 1100, height: 900 });
    assert.equal(await server.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('status', '=', 'rejected').execute().then((r) => r.length), 0);

    await Promise.all([page.waitForURL(/done=bulk/), page.getByRole('button', { name: 'Reject 3 applications' }).click()]);
    await page.getByText('Decision applied to 3 applications.').waitFor();
    assert.match(page.url(), /sort=name/, 'back on the same list');
    const rejected = await server.db.db.selectFrom('applications').select('name').where('event_id', '=', event.id).where('status', '=', 'rejected').orderBy('name').execute();
    assert.deepEqual(rejected.map((r) => r.name), ['Ada Lovelace', 'Jürgen Müller', 'Zoë Ørsted']);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'review-list-phone');
    await page.setViewportSize({ width: 1100, height: 900 });

    // The detail page: previous/next in that list, scores; accessible too.
    await page.getByRole('link', { name: 'Grace Hopper' }).click();
    await page.getByRole('link', { name: 'Next application →' }).waitFor();
    await page.getByLabel('5 – excellent').check();
    await Promise.all([page.waitForURL(/list=sort%3Dname$/), page.getByRole('button', { name: 'Save score' }).click()]);
    await page.getByText('5.0 (1)').waitFor();
    await assertAccessible(page, 'application detail with scores');
    await screenshot(page, 'review-detail-desktop');
    assert.deepEqual(org.problems, [], 'no console errors or CSP violations');
  });

  test('review flags: a look-alike and a duplicate are marked, filtered and explained, in German on a phone too', async () => {
    const deps = server.runtime.deps;
    // The same mailbox written differently, and a Cyrillic "о" in a Latin address.
    await submitApplication(deps, event.slug, { name: 'Ada Lovelace', email: 'person.1+again@example.com', country: 'US', locale: 'en', consent: true, answers: { why: 'Again.', fan: 'yes' }, guests: [] });
    await submitApplication(deps, event.slug, { name: 'Hedy Lamarr', email: 'hedy@lamarr-оnline.example', country: 'DE', locale: 'de', consent: true, answers: { why: 'Radio.', fan: 'yes' }, guests: [] });
    const { page } = org;
    const list = `${server.url}/admin/events/${event.id}/applications`;
    await page.goto(list);
    await page.getByLabel('Review flag').selectOption('any');
    await Promise.all([page.waitForURL(/flag=any/), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.deepEqual((await page.locator('tbody th[scope=row]').allTextContents()).sort(), ['Ada Lovelace', 'Hedy Lamarr']);
    await page.locator('tbody .badge.warn', { hasText: 'Look-alike address' }).waitFor();
    await assertAccessible(page, 'applications list filtered by review flag');
    await screenshot(page, 'review-flags-list-desktop');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { name: 'Review flags' }).waitFor();
    assert.match((await page.locator('section.flags li').textContent()) ?? '', /Possible duplicate — the same email address, written differently: Ada Lovelace/);
    await assertAccessible(page, 'application detail with a review flag');
    await screenshot(page, 'review-flags-detail-desktop');
    // German, phone-sized: the tab bar wraps (every tab in view, the current one filled), nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${list}?flag=any&lang=de`);
    await page.locator('tbody .badge.warn', { hasText: 'Verwechselbare Adresse' }).waitFor();
    const current = await page.locator('nav.event-tabs a[aria-current="page"]').boundingBox();
    assert.ok(current && current.x >= 0 && current.x + current.width <= 390, 'the current tab is in view on a phone');
    const overflow = await page.evaluate(() => {
      const d = document.documentElement;
      const t = document.querySelector('table.data')!;
      return [d.scrollWidth - d.clientWidth, [...document.querySelectorAll('body *')].filter((e) => !e.closest('table') && e.getBoundingClientRect().right > d.clientWidth + 1).map((e) => `${e.tagName}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8).join(' ')] as const;
    });
    assert.ok(overflow[0] <= 0, `nothing wider than the phone (${overflow[0]}px: ${overflow[1]})`);
    await assertAccessible(page, 'flagged list in German on a phone');
    await screenshot(page, 'review-flags-list-de-phone');
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(`${list}?lang=en`);
    assert.deepEqual(org.problems, [], 'no console errors or CSP violations');
  });
});
