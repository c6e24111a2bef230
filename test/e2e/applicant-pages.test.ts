import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { findEventBySlug } from '../../src/db/repositories/events.ts';
import type { Event } from '../../src/domain/event.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import { insertParty, type PartyOptions } from '../helpers/after-draw.ts';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import type { TestContext } from '../helpers/context.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Every page behind a status link, in every status, checked with axe-core at desktop and phone width:
 * the confirm-your-email page, the status page (each status), edit, withdraw, decline and the tickets.
 */
describe('applicant pages in Chromium: axe on every page [sqlite]', () => {
  let server: TestServer;
  let browser: Browser;
  let event: Event;
  let ctx: TestContext;

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    event = (await findEventBySlug(server.db.db, 'launch-nyc'))!;
    const deps = server.runtime.deps;
    // insertParty only needs the database, the clock and the randomness of a context.
    ctx = { db: server.db, deps, clock: deps.clock } as unknown as TestContext;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const party = (o: PartyOptions) => insertParty(ctx, event, { guests: ['Max Mustermann'], ...o });
  const clean = (w: WatchedPage, where: string) => assert.deepEqual(w.problems.splice(0), [], `console errors on ${where}`);

  async function check(w: WatchedPage, path: string, label: string, h1: string) {
    const res = await w.page.goto(`${server.url}${path}`);
    assert.equal(res?.status(), 200, label);
    assert.equal((await w.page.locator('h1').textContent())?.trim(), h1, label);
    const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${label}: no horizontal scrolling (overflow ${overflow}px)`);
    await assertAccessible(w.page, label);
  }

  test('status page in every status, the confirm-your-email page, edit and withdraw (desktop and phone)', async () => {
    const desktop = await openPage(browser, { locale: 'en-US' });
    const phone = await openPage(browser, { locale: 'de-DE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await party({ status: 'waitlisted', drawPosition: 1 });
      for (const status of ['submitted', 'held', 'rejected', 'not_selected', 'waitlisted', 'offered', 'confirmed', 'declined', 'expired', 'withdrawn']) {
        for (const [w, locale, h1] of [[desktop, 'en', 'Your application'], [phone, 'de', 'Ihre Bewerbung']] as const) {
          const p = await party({ status, locale, drawPosition: status === 'waitlisted' ? 5 : null });
          await check(w, `/a/${p.token}`, `status ${status} (${locale})`, h1);
        }
      }
      const unverified = await party({ status: 'submitted', locale: 'de' });
      await server.db.db.updateTable('applications').set({ verified: 0, verified_at: null }).where('id', '=', unverified.id).execute();
      await check(phone, `/a/${unverified.token}`, 'confirm-your-email page (de, 390px)', 'E-Mail-Adresse bestätigen');
      await screenshot(phone.page, 'applicant-verify-de-mobile');
      await check(desktop, `/a/${unverified.token}?lang=en`, 'confirm-your-email page (en)', 'Confirm your email address');

      const open = await party({ status: 'submitted', locale: 'en', guests: ['Ada', 'Grace'] });
      await check(desktop, `/a/${open.token}/edit`, 'edit page (en)', 'Change your application');
      await screenshot(desktop.page, 'applicant-edit-en');
      await check(phone, `/a/${open.token}/edit?lang=de`, 'edit page (de, 390px)', 'Bewerbung ändern');
      await check(desktop, `/a/${open.token}/withdraw`, 'withdraw page (en)', 'Withdraw your application?');
      await check(phone, `/a/${open.token}/withdraw?lang=de`, 'withdraw page (de, 390px)', 'Bewerbung zurückziehen?');
      clean(desktop, 'desktop pages');
      clean(phone, 'phone pages');
    } finally {
      await desktop.context.close();
      await phone.context.close();
    }
  });

  test('decline page, the status after giving back, the tickets with "add to calendar" after the reveal', async () => {
    const w = await openPage(browser, { locale: 'en-US' });
    const phone = await openPage(browser, { locale: 'de-DE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const offered = await party({ status: 'offered', locale: 'en' });
      await check(w, `/a/${offered.token}/decline`, 'decline page (en)', 'Give your place back?');
      await Promise.all([w.page.waitForURL(/declined=/), w.page.getByRole('button', { name: 'Yes, give the place back' }).click()]);
      assert.match((await w.page.locator('.notice.success').textContent()) ?? '', /Thank you for letting us know/);
      await assertAccessible(w.page, 'status after declining (en)');

      const guest = await party({ status: 'offered', locale: 'de' });
      await confirmApplication(server.runtime.deps, guest.id);
      const now = server.runtime.deps.clock.now().getTime();
      await saveRevealDetails(server.runtime.deps, 'owner', event.id, {
        startsAt: new Date(now + 30 * 86_400_000).toISOString(),
        endsAt: null,
        venueName: 'Pier 17',
        venueAddress: '89 South St, New York',
        venueMapUrl: null,
        revealAt: null,
      });
      await revealEvent(server.runtime.deps, 'owner', event.id);
      await check(phone, `/a/${guest.token}`, 'status confirmed and revealed (de, 390px)', 'Ihre Bewerbung');
      assert.equal(await phone.page.getByRole('link', { name: 'Zum Kalender hinzufügen (.ics)' }).count(), 1);
      await screenshot(phone.page, 'applicant-confirmed-de-mobile');
      await check(phone, `/a/${guest.token}/tickets`, 'tickets (de, 390px)', 'Ihre Tickets');
      const [download] = await Promise.all([phone.page.waitForEvent('download'), phone.page.getByRole('link', { name: 'Zum Kalender hinzufügen (.ics)' }).click()]);
      assert.equal(download.suggestedFilename(), 'event.ics');
      clean(w, 'decline pages');
      clean(phone, 'tickets pages');
    } finally {
      await w.context.close();
      await phone.context.close();
    }
  });

  test('confirm form: a wrong guest address comes back at its field with everything kept; guests get a language (en, de)', async () => {
    for (const [locale, viewport, error] of [
      ['en', { width: 1280, height: 900 }, 'Please enter an email address like name@example.com.'],
      ['de', { width: 390, height: 844 }, 'Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein.'],
    ] as const) {
      const w = await openPage(browser, { locale, viewport });
      try {
        const p = await party({ status: 'offered', locale, guests: ['Max Mustermann', 'Erika Muster'] });
        await w.page.goto(`${server.url}/a/${p.token}`);
        assert.equal(await w.page.locator('#f-guest_locale_0').inputValue(), locale, 'the applicant\'s language by default');
        // Passes the browser's own check (type=email) but not ours: it needs a dot in the domain.
        await w.page.fill('#f-guest_email_0', 'max@example');
        await w.page.selectOption('#f-guest_locale_0', 'fr');
        await w.page.fill('#f-guest_email_1', 'erika@example.org');
        await w.page.uncheck('#f-guest-1');
        const [res] = await Promise.all([w.page.waitForResponse((r) => r.url().endsWith('/confirm')), w.page.locator('form[action$="/confirm"] button[type=submit]').click()]);
        assert.equal(res.status(), 422);
        await w.page.waitForLoadState();
        assert.equal((await w.page.locator('#e-guest_email_0').textContent())?.includes(error), true);
        assert.equal(await w.page.locator('#f-guest_email_0').getAttribute('aria-invalid'), 'true');
        assert.equal(await w.page.locator('#f-guest_email_0').inputValue(), 'max@example');
        assert.equal(await w.page.locator('#f-guest_locale_0').inputValue(), 'fr');
        assert.equal(await w.page.locator('#f-guest_email_1').inputValue(), 'erika@example.org');
        assert.equal(await w.page.locator('#f-guest-1').isChecked(), false);
        await assertAccessible(w.page, `confirm form refused (${locale})`);
        await screenshot(w.page, `applicant-confirm-refused-${locale}`);
        await w.page.fill('#f-guest_email_0', 'max@example.org');
        await Promise.all([w.page.waitForURL(/\/tickets/), w.page.locator('form[action$="/confirm"] button[type=submit]').click()]);
        const row = await server.db.db.selectFrom('tickets').select('holder_locale').where('holder_email', '=', 'max@example.org').where('application_id', '=', p.id).executeTakeFirstOrThrow();
        assert.equal(row.holder_locale, 'fr');
        // The refused form is answered with 422, which Chromium logs; nothing else may appear.
        assert.deepEqual(w.problems.splice(0).filter((m) => !/status of 422/.test(m)), [], `console errors on the confirm form (${locale})`);
      } finally {
        await w.context.close();
      }
    }
  });
});
