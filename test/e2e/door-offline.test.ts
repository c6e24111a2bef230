import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { ticketsForApplication, type TicketView } from '../../src/services/tickets.ts';
import { setOfflineNames } from '../../src/services/door.ts';
import { checkInCounts } from '../../src/services/checkin.ts';
import { createUser } from '../../src/services/users.ts';
import type { Event } from '../../src/domain/event.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { assertAccessible, openPage, type WatchedPage } from '../helpers/browser.ts';
import { createOwner, OWNER_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';
import { qrVideo } from '../helpers/y4m.ts';

/**
 * The door that keeps working offline (issue 15), in Chromium: a phone registers, syncs, loses the network
 * (context.setOffline), scans 20 tickets — 8 by camera (Chromium's fake camera plays a Y4M video of real QR
 * codes), 8 by typed door code, 4 by name — refuses a forged QR and a second scan, and when the network returns
 * the server has every scan exactly once. Then two phones admit the same guest offline: one guest, one conflict.
 */
let server: TestServer;
let browser: Browser;
let event: Event;
const people: { name: string; ticket: TicketView }[] = [];
let forged = '';
const CAMERA = 8;
const TYPED = 8;
const BY_NAME = 4;

before(async () => {
  server = await startTestServer({ seedDemo: false });
  const deps = server.runtime.deps;
  event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'door-offline', capacity: 60 });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  for (let i = 0; i < 24; i++) {
    const name = `Guest ${String.fromCharCode(65 + i)}${String.fromCharCode(97 + i)}ton`;
    const p = await insertParty(ctx, event, { status: 'offered', name });
    await confirmApplication(deps, p.id);
    people.push({ name, ticket: (await ticketsForApplication(server.db.db, server.config.secret, p.id))[0] });
  }
  await setOfflineNames(deps, 'test', event.id, true);
  // A forgery: a real ticket's fields under another ticket's signature.
  const [a, b] = [people[22].ticket.token, people[23].ticket.token];
  forged = a.slice(0, a.lastIndexOf('.')) + b.slice(b.lastIndexOf('.'));
  const dir = mkdtempSync(join(tmpdir(), 'admit-door-cam-'));
  const video = join(dir, 'tickets.y4m');
  writeFileSync(video, qrVideo([...people.slice(0, CAMERA).map((p) => p.ticket.token), forged]));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`,
    ],
    timeout: 30_000,
  });
  await createUser(deps, 'test', { email: 'door@example.com', role: 'door', name: 'Door', password: OWNER_PASSWORD });
  await onEveryEventTeam(deps, 'door@example.com');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function doorDevice(name: string, door: string, axe = false): Promise<WatchedPage> {
  const w = await openPage(browser, { viewport: { width: 390, height: 844 }, locale: 'en-US', permissions: ['camera'] });
  const { page } = w;
  await page.goto(`${server.url}/login?next=/checkin/${event.id}/device`);
  await page.getByLabel('Email address').fill('door@example.com');
  await page.getByLabel('Password').fill(OWNER_PASSWORD);
  await Promise.all([page.waitForURL(new RegExp(`/checkin/${event.id}/device$`)), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  if (axe) await assertAccessible(page, 'door device registration');
  await page.getByLabel('Device name').fill(name);
  await page.locator('#f-door').fill(door);
  await Promise.all([page.waitForURL(`${server.url}/door/`), page.getByRole('button', { name: 'Register this phone' }).click()]);
  await page.waitForFunction(() => document.body.dataset.synced === '1');
  // The service worker holds the app for offline starts once it controls the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  return w;
}

const result = (page: Page) => page.locator('#door-result');

async function typeCode(page: Page, code: string): Promise<string> {
  const before = await page.evaluate(() => window.__door.timings.length);
  await page.getByLabel('Ticket code').fill(code);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.waitForFunction((n) => window.__door.timings.length > n, before);
  return (await result(page).getAttribute('data-kind')) ?? '';
}

async function serverScans(): Promise<{ ticket_id: string | null; outcome: string; device_id: string }[]> {
  return server.db.db.selectFrom('door_scans').select(['ticket_id', 'outcome', 'device_id']).where('event_id', '=', event.id).execute();
}

async function until(check: () => Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('offline: 20 guests by camera, typed code and name; forged and second scans refused; every scan reaches the server once', async () => {
  const w = await doorDevice('Phone A', 'North', true);
  const { page, context } = w;
  assert.equal(await page.locator('#door-expected').textContent(), '24');
  assert.match((await page.locator('#door-age').textContent()) ?? '', /Last synced/);
  await assertAccessible(page, 'door app');

  await context.setOffline(true);
  await page.locator('#door-net', { hasText: 'Offline' }).waitFor();

  // Camera: the fake camera plays the QR codes in a loop; wait until every one was admitted and the forgery seen.
  await page.getByRole('button', { name: 'Scan with the camera' }).click();
  await page.waitForFunction(
    (n) => window.__door.timings.filter((t) => t.kind === 'admitted').length >= n && window.__door.timings.some((t) => t.kind === 'forged'),
    CAMERA,
    { timeout: 120_000, polling: 250 },
  );
  await page.getByRole('button', { name: 'Stop the camera' }).click();

  for (const p of people.slice(CAMERA, CAMERA + TYPED)) assert.equal(await typeCode(page, p.ticket.doorCode!.toLowerCase()), 'admitted', p.name);
  for (const p of people.slice(CAMERA + TYPED, CAMERA + TYPED + BY_NAME)) {
    await page.getByLabel('Search a name').fill(p.name.slice(6, 9));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: `Check in ${p.name}` }).click();
    await result(page).and(page.locator('[data-kind="admitted"]')).waitFor();
    await page.locator('#door-hits').getByText('Checked in').first().waitFor();
  }
  // Refusals, decided on the phone: a second scan, a forged QR typed in, a typo.
  assert.equal(await typeCode(page, people[CAMERA].ticket.doorCode!), 'already');
  assert.equal(await typeCode(page, forged), 'forged');
  const typo = people[23].ticket.doorCode!;
  assert.equal(await typeCode(page, typo.slice(0, 9) + (typo[9] === 'A' ? 'B' : 'A')), 'bad_check');
  assert.equal(await page.locator('#door-arrived').textContent(), '20');
  assert.match((await page.locator('#door-queue').textContent()) ?? '', /20 not sent yet/);
  await result(page).evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  await assertAccessible(page, 'door app offline');
  assert.equal((await serverScans()).length, 0, 'nothing reached the server while offline');

  await context.setOffline(false);
  await until(async () => (await serverScans()).length >= 20, 'the queue to arrive');
  await page.waitForFunction(() => window.__door.state().queue === 0);
  const scans = await serverScans();
  assert.equal(scans.length, 20, 'every scan exactly once');
  assert.ok(scans.every((s) => s.outcome === 'admitted'));
  assert.deepEqual(new Set(scans.map((s) => s.ticket_id)), new Set(people.slice(0, 20).map((p) => p.ticket.id)));
  assert.deepEqual(await checkInCounts(server.db.db, event.id), { expected: 24, arrived: 20 });
  assert.deepEqual(w.problems.filter((p) => !/net::ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(p)), []);
  await context.close();
});

test('two phones admit the same guest offline: one guest counted, one conflict on the organizer\'s board', async () => {
  const a = await doorDevice('Phone B', 'South');
  const b = await doorDevice('Phone C', 'East');
  const guest = people[21];
  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await a.page.locator('#door-net', { hasText: 'Offline' }).waitFor();
  await b.page.locator('#door-net', { hasText: 'Offline' }).waitFor();
  assert.equal(await typeCode(a.page, guest.ticket.doorCode!), 'admitted');
  assert.equal(await typeCode(b.page, guest.ticket.token), 'admitted');
  await a.context.setOffline(false);
  await until(async () => (await serverScans()).some((s) => s.ticket_id === guest.ticket.id), 'the first phone');
  await b.context.setOffline(false);
  await until(async () => (await serverScans()).filter((s) => s.ticket_id === guest.ticket.id).length === 2, 'the second phone');
  const mine = (await serverScans()).filter((s) => s.ticket_id === guest.ticket.id);
  assert.deepEqual(mine.map((s) => s.outcome).sort(), ['admitted', 'conflict']);
  assert.equal((await checkInCounts(server.db.db, event.id)).arrived, 21, 'the guest counts once');
  // The other phone learns of it within seconds: its next poll brings it.
  const c = people[20];
  assert.equal(await typeCode(a.page, c.ticket.doorCode!), 'admitted');
  await b.page.waitForFunction((id) => window.__door.state().tickets > 0 && document.getElementById('door-arrived')!.textContent === '22', c.ticket.id, { timeout: 20_000 });

  const owner = await createOwner(server);
  const org = await openPage(browser);
  await org.page.goto(`${server.url}/login?next=/admin/events/${event.id}/door`);
  await org.page.getByLabel('Email address').fill(owner.email);
  await org.page.getByLabel('Password').fill(owner.password);
  await Promise.all([org.page.waitForURL(new RegExp(`/admin/events/${event.id}/door$`)), org.page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  const conflict = org.page.locator('#conflicts + p + table tbody tr');
  assert.equal(await conflict.count(), 1);
  assert.match((await conflict.textContent()) ?? '', new RegExp(`${guest.name}.*Admitted twice`, 's'));
  await org.page.locator('figure.chart svg').first().waitFor();
  await assertAccessible(org.page, 'door board');
  assert.deepEqual(org.problems, []);

  // Revoked: the phone deletes what it held at its next sync.
  await org.page.getByRole('button', { name: 'Revoke Phone C' }).click();
  await org.page.getByText('Saved.').waitFor();
  await b.page.waitForFunction(() => document.body.dataset.state === 'revoked', null, { timeout: 20_000 });
  const left = await b.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(!left.includes('admit-door'), 'IndexedDB deleted');
  await assertAccessible(b.page, 'door app revoked');
  for (const w of [a, b, org]) await w.context.close();
});

declare global {
  interface Window {
    __door: { timings: { ms: number; online: boolean; kind: string }[]; state(): { queue: number; tickets: number } };
  }
}
