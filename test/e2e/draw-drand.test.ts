import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { demoEventInput } from '../../src/services/demo.ts';
import { createEvent } from '../../src/services/events.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';
import { assertAccessible, launchBrowser, openPage } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import type { TestContext } from '../helpers/context.ts';

/**
 * The changed draw pages in Chromium, checked with axe: the commit form (drand by default), the frozen draw with the
 * paste-a-round form, and the public draw page — waiting, then overdue — with the entry list and exclusions.
 */
describe('draw on a drand round: the pages in Chromium [sqlite]', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer({ seedDemo: false, config: { drandRelays: [] } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('commit with the default drand round, freeze, wait, overdue: every page passes axe', async () => {
    const deps = server.runtime.deps;
    const now = deps.clock.now();
    const event = await createEvent(deps, 'test', { ...demoEventInput(now), slug: 'drand-pages', capacity: 20, applicationsOpenAt: new Date(now.getTime() - 86_400_000).toISOString(), applicationsCloseAt: new Date(now.getTime() + 60_000).toISOString() });
    await seedVerifiedApplications({ db: server.db, clock: deps.clock } as unknown as TestContext, event.id, 25, 'e2e');
    const owner = await createOwner(server);
    const org = await openPage(browser);
    const { page } = org;
    await page.goto(`${server.url}/login?next=/admin/events/${event.id}/selection`);
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await Promise.all([page.waitForURL(/\/selection$/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);

    assert.equal(await page.getByLabel(/drand quicknet round \(recommended/).isChecked(), true);
    await assertAccessible(page, 'selection page: commit form with drand');
    await Promise.all([page.waitForURL(/done=committed/), page.getByRole('button', { name: 'Commit', exact: true }).click()]);
    const draw = await server.db.db.selectFrom('draws').select(['beacon_round']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.ok(Number(draw.beacon_round) > 0);

    // Applications close; the freeze; the page then offers to paste the round.
    await server.db.db.updateTable('events').set({ status: 'closed' }).where('id', '=', event.id).execute();
    await page.goto(`${server.url}/admin/events/${event.id}/selection`);
    await Promise.all([page.waitForURL(/\/selection\/freeze$/), page.getByRole('button', { name: 'Freeze entry list' }).click()]);
    await Promise.all([page.waitForURL(/done=frozen/), page.getByRole('button', { name: 'Freeze the entry list now' }).click()]);
    await page.getByLabel('drand round (JSON)').waitFor();
    await assertAccessible(page, 'selection page: paste a drand round');
    await page.getByLabel('drand round (JSON)').fill('not json');
    await Promise.all([page.waitForURL(/\/selection\/draw$/), page.getByRole('button', { name: 'Run the draw with this round' }).click()]);
    await page.getByText('Paste the round as JSON').first().waitFor();
    await assertAccessible(page, 'selection page: a malformed round');

    const anon = await openPage(browser);
    await anon.page.goto(`${server.url}/e/${event.slug}/draw`);
    await anon.page.locator('#frozen-secret').waitFor();
    await anon.page.locator('#exclusions').waitFor();
    assert.equal(await anon.page.locator('#overdue').count(), 0);
    await assertAccessible(anon.page, 'public draw page: frozen, waiting for the round');
    // The round's time has passed (here: a round of 2023) and the draw has not run: anyone sees it is overdue.
    await server.db.db.updateTable('draws').set({ beacon_round: 3 }).where('event_id', '=', event.id).execute();
    await anon.page.goto(`${server.url}/e/${event.slug}/draw?lang=de`);
    await anon.page.locator('#overdue').waitFor();
    await assertAccessible(anon.page, 'public draw page: overdue (German)');
    await anon.context.close();
    await org.context.close();
  });
});
