import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { signInAsOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import { LOCALES } from '../../src/domain/locales.ts';
import { textDirection } from '../../src/domain/locales.ts';
import { hashToken, newToken } from '../../src/platform/random.ts';
import { confirmOffer } from '../../src/services/confirmations.ts';
import { nextId } from '../../src/services/ids.ts';

const SHOTS = !!process.env.SCREENSHOTS;

/**
 * Every listed language in Chromium on the demo event (cover, colour, twelve languages): axe-core finds nothing on the
 * event page, the form with errors, the status page and the ticket; right-to-left pages are mirrored. With
 * SCREENSHOTS=1, the Arabic and Hebrew pages (and the door) go to docs/screenshots/.
 */
describe('every language in Chromium [sqlite]', () => {
  let server: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let token: string;
  let eventId: string;

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    w = await openPage(browser, { viewport: { width: 900, height: 900 } });
    const deps = server.runtime.deps;
    const event = await server.db.db.selectFrom('events').select('id').where('slug', '=', 'launch-nyc').executeTakeFirstOrThrow();
    eventId = event.id;
    // A guest with an offer, confirmed through the service: a status page and tickets to look at.
    token = newToken(deps.random);
    const id = nextId(deps);
    const now = new Date().toISOString();
    await server.db.db
      .insertInto('applications')
      .values({
        id, event_id: event.id, status: 'offered', name: 'Noor Haddad', email: 'noor.haddad@example.com', email_normalized: 'noor.haddad@example.com',
        country: 'US', locale: 'ar', party_size: 2, guests: JSON.stringify([{ name: 'Yael Cohen', relation: 'friend' }]), answers: '{}', consent_at: now,
        token_hash: hashToken(token), verified: 1, created_at: now, updated_at: now, verified_at: now, withdrawn_at: null, offer_source: 'draw',
        offer_expires_at: new Date(Date.now() + 72 * 3_600_000).toISOString(), seats: 2, draw_position: 1, entry_id: null,
      })
      .execute();
    await confirmOffer(deps, token);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const shot = async (page: Page, name: string) => (SHOTS ? screenshot(page, name) : undefined);
  const clean = (where: string) => assert.deepEqual(w.problems.splice(0).filter((p) => !/status of 422/.test(p)), [], `console errors on ${where}`);

  for (const l of LOCALES) {
    test(`${l}: event page, form with errors, status page and ticket pass axe`, async () => {
      const { page } = w;
      await page.goto(`${server.url}/e/launch-nyc?lang=${l}`);
      assert.equal(await page.getAttribute('html', 'dir'), textDirection(l));
      assert.equal(await page.locator('.brand-cover img').count(), 1, 'the cover is shown');
      const brandColour = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim());
      assert.equal(brandColour, '#0b6e6e', 'the accent colour applies');
      await assertAccessible(page, `event page (${l})`);
      if (l === 'ar' || l === 'he') {
        // Mirrored: the form's labels start at the right edge.
        const box = await page.locator('label[for="f-name"]').boundingBox();
        const main = await page.locator('main').boundingBox();
        assert.ok(box && main && box.x + box.width > main.x + main.width * 0.6, 'labels sit at the right in rtl');
        await shot(page, `event-${l}`);
      }
      await page.click('button[type=submit].primary');
      await page.locator('#error-summary').waitFor();
      await assertAccessible(page, `form with errors (${l})`);
      if (l === 'ar' || l === 'he') await shot(page, `event-${l}-errors`);
      await page.goto(`${server.url}/a/${token}?lang=${l}`);
      await assertAccessible(page, `status page (${l})`);
      if (l === 'ar' || l === 'he') await shot(page, `status-${l}`);
      await page.goto(`${server.url}/a/${token}/tickets?lang=${l}`);
      await page.locator('.ticket').first().waitFor();
      await assertAccessible(page, `ticket (${l})`);
      if (l === 'ar' || l === 'he') await shot(page, `ticket-${l}`);
      clean(l);
    });
  }

  test('the door in Arabic and Hebrew', async () => {
    const cookie = await signInAsOwner(server, '/admin');
    const ctx = await browser.newContext({ viewport: { width: 420, height: 860 } });
    await ctx.addCookies(cookie.split('; ').map((c) => {
      const i = c.indexOf('=');
      return { name: c.slice(0, i), value: c.slice(i + 1), url: server.url };
    }));
    const page = await ctx.newPage();
    for (const l of ['ar', 'he']) {
      await page.goto(`${server.url}/checkin/${eventId}?lang=${l}`);
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      await assertAccessible(page, `door (${l})`);
      await shot(page, `door-${l}`);
    }
    await ctx.close();
  });
});
