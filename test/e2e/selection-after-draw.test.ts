import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { promoteWaitlist } from '../../src/services/waitlist.ts';
import { ticketToken } from '../../src/services/tickets.ts';
import type { TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { assertAccessible, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';
import { deliveredText } from '../helpers/mailbox.ts';

/**
 * After the draw, in Chromium: a waitlisted party moves up, confirms from the mailed link, the
 * organizer reveals time and venue, the ticket's QR code is decoded from a screenshot (zbarimg) and
 * checked in at the door on a phone-sized screen; the second scan is refused.
 */
let server: TestServer;
let browser: Browser;
const shots = mkdtempSync(join(tmpdir(), 'admit-e2e-'));

before(async () => {
  server = await startTestServer({ seedDemo: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('promoted → confirms from the mail → reveal → QR from a screenshot → checked in once', async () => {
  const deps = server.runtime.deps;
  const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'after-draw', capacity: 2 });
  const ctx = { deps, clock: deps.clock, db: server.db } as unknown as TestContext;
  await insertParty(ctx, event, { status: 'waitlisted', name: 'Ada Lovelace', email: 'ada@example.com', guests: ['Charles Babbage'], drawPosition: 0 });
  assert.equal((await promoteWaitlist(deps, event.id)).length, 1);
  // The link from the delivered mail: the outbox keeps none once the mail is sent (ADR 0005).
  const offer = await server.db.db.selectFrom('outbox').select('id').where('to_address', '=', 'ada@example.com').where('kind', '=', 'offer.waitlist').executeTakeFirstOrThrow();
  const link = (await deliveredText(server.config.dataDir, offer.id)).match(/http:\/\/127\.0\.0\.1:\d+\/a\/[A-Za-z0-9_-]+/)![0];

  // The applicant confirms from the mailed link.
  const guest = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await guest.page.goto(link);
  await assertAccessible(guest.page, 'offer on the status page');
  await screenshot(guest.page, 'offer-phone');
  await guest.page.getByRole('button', { name: 'Confirm my place' }).click();
  await guest.page.waitForURL(/\/tickets\?confirmed=1$/);
  assert.equal(await guest.page.locator('.ticket').count(), 2);
  await assertAccessible(guest.page, 'tickets');

  // The organizer reveals time and venue.
  const owner = await createOwner(server);
  const org = await openPage(browser);
  await org.page.goto(`${server.url}/login?next=/admin/events/${event.id}/reveal`);
  await org.page.getByLabel('Email address').fill(owner.email);
  await org.page.getByLabel('Password').fill(owner.password);
  await org.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await org.page.waitForURL(/\/reveal$/);
  await org.page.getByLabel('Starts').fill('2026-12-12T19:00');
  await org.page.getByLabel('Venue').fill('Pier 17');
  await org.page.getByLabel('Address').fill('89 South St, New York');
  await org.page.getByLabel('Map link (optional)').fill('https://maps.example/pier17');
  await org.page.getByRole('button', { name: 'Save and reveal now' }).click();
  // The confirmation page first (every confirmed guest gets a mail).
  await org.page.getByRole('button', { name: 'Reveal and send the mails now' }).click();
  await org.page.getByText('Revealed. 1 confirmed party').waitFor();
  const revealMail = await server.db.db.selectFrom('outbox').select(['subject', 'attachments']).where('to_address', '=', 'ada@example.com').where('kind', '=', 'event.revealed').executeTakeFirstOrThrow();
  assert.match(revealMail.attachments ?? '', /text\/calendar/);

  // The guest's tickets now show time and venue; the QR code is read from a screenshot of the first ticket.
  await guest.page.reload();
  await guest.page.getByText('Pier 17, 89 South St, New York').waitFor();
  const shot = join(shots, 'ticket.png');
  await guest.page.locator('.ticket').first().screenshot({ path: shot });
  const code = execFileSync('zbarimg', ['--raw', '-q', shot], { encoding: 'utf8' }).trim();
  // The event-signed payload (ADR 0015): version, event, ticket, party position, Ed25519 signature.
  assert.match(code, /^AD1\.[0-9a-z]+\.[0-9a-z]+\.\d+\.[A-Za-z0-9_-]{86}$/, 'a signed ticket');
  await screenshot(guest.page, 'tickets-phone');

  // The door, on a phone: type the decoded code (the camera path uses the same endpoint).
  const door = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'en-US' });
  await door.context.addCookies(await org.context.cookies());
  await door.page.goto(`${server.url}/checkin`);
  await door.page.waitForURL(new RegExp(`/checkin/${event.id}$`));
  await door.page.locator('#scanner-toggle').waitFor({ state: 'visible' });
  await door.page.getByLabel('Ticket code').fill(code);
  await door.page.getByRole('button', { name: 'Check in', exact: true }).click();
  await door.page.locator('.checkin-result.result-ok').getByText('Welcome — checked in').waitFor();
  assert.equal(await door.page.locator('#count-arrived').textContent(), '1');
  await assertAccessible(door.page, 'check-in');
  await screenshot(door.page, 'checkin-phone', false);

  await door.page.getByLabel('Ticket code').fill(code);
  await door.page.getByRole('button', { name: 'Check in', exact: true }).click();
  await door.page.locator('.checkin-result.result-bad').getByText(/Already checked in at \d{1,2}:\d{2}/).waitFor();
  await screenshot(door.page, 'checkin-phone-refused', false);

  // Without JavaScript the same form posts and answers with a full page.
  const plain = await openPage(browser, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  await plain.context.addCookies(await org.context.cookies());
  await plain.page.goto(`${server.url}/checkin/${event.id}`);
  await plain.page.getByLabel('Ticket code').fill(code);
  await plain.page.getByRole('button', { name: 'Check in', exact: true }).click();
  await plain.page.locator('.checkin-result.result-bad').waitFor();

  // The phone camera: Chromium's fake camera shows the second ticket's QR code; the page's scanner reads it.
  const charles = await server.db.db.selectFrom('tickets').select('id').where('holder_name', '=', 'Charles Babbage').executeTakeFirstOrThrow();
  const video = join(shots, 'qr.y4m');
  writeFileSync(video, qrVideo(ticketToken(server.config.secret, charles.id)));
  const camBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const cam = await openPage(camBrowser, { viewport: { width: 390, height: 844 }, permissions: ['camera'] });
    await cam.context.addCookies(await org.context.cookies());
    await cam.page.goto(`${server.url}/checkin/${event.id}`);
    await cam.page.getByRole('button', { name: 'Start camera' }).click();
    await cam.page.locator('.checkin-result.result-ok').getByText('Charles Babbage').waitFor({ timeout: 15_000 });
    assert.equal(await cam.page.locator('#count-arrived').textContent(), '2');
    await screenshot(cam.page, 'checkin-phone-camera', false);
    assert.deepEqual(cam.problems, []);
  } finally {
    await camBrowser.close();
  }

  for (const w of [guest, org, door, plain]) {
    assert.deepEqual(w.problems.filter((p) => !/Failed to load resource.*409/.test(p)), [], 'no console errors or CSP violations');
    await w.context.close();
  }
});

/** A still Y4M video (what Chromium's fake camera plays) of a QR code: 640×480, grey 4:2:0, a few frames. */
function qrVideo(text: string): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const W = 640, H = 480, scale = Math.floor(360 / (size + 8));
  const y = Buffer.alloc(W * H, 235);
  const x0 = Math.floor((W - size * scale) / 2), y0 = Math.floor((H - size * scale) / 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) y.fill(16, (y0 + r * scale + dy) * W + x0 + c * scale, (y0 + r * scale + dy) * W + x0 + (c + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array(5).fill(frame)]);
}
