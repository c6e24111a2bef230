import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Event } from '../../src/domain/event.ts';
import { submitApplication, verifyApplication } from '../../src/services/applications.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { createEvent } from '../../src/services/events.ts';
import { createUser } from '../../src/services/users.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { createOwner, OWNER_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/** Screenshots for docs/ are refreshed only on request (SCREENSHOTS=1), so a normal test run leaves the tree clean. */
const SHOTS = !!process.env.SCREENSHOTS;
const shot = async (page: Page, name: string, fullPage = true) => (SHOTS ? screenshot(page, name, fullPage) : undefined);

const APPLICATIONS = 200;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim', 'Margaret', 'Dennis', 'Hedy', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee', 'Hamilton', 'Ritchie', 'Lamarr', 'Backus', 'Wirth'];
const OTHER_COUNTRIES = ['DE', 'CA', 'GB', 'FR', 'MX', 'JP'];
const RANDOMNESS_LABEL = 'Lotto 6aus49 numbers of the closing day';
const RANDOMNESS_VALUE = '8f3c0a2b9d7e61f45a0c3e9b7d1f2a46c8e0b3d5f7a9c1e3b5d7f9a1c3e5b7d9';
/** The event takes place next December. */
const YEAR = new Date().getUTCFullYear() + 1;

/**
 * The draw as people do it, in Chromium against the real runtime (real port, real SMTP sink): 200
 * verified applications; the organizer commits (naming public randomness), closes applications,
 * freezes with weights and a quota and runs the draw on the selection page; anyone can read the
 * public draw page and verify the downloaded bundle with `admit verify-draw`; a selected applicant
 * confirms from the mailed link; the organizer reveals time and venue; the ticket's QR code is read
 * from a screenshot with zbarimg and checked in at the door, once.
 */
describe('selection: commit → close → freeze → draw → confirm → reveal → check-in, in Chromium [sqlite]', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  let event: Event;
  let org: WatchedPage;
  let guest: WatchedPage;
  let statusLink: string;
  let ticketCode: string;
  const files = mkdtempSync(join(tmpdir(), 'admit-e2e-draw-'));
  const published: { commitment?: string; freezeHash?: string; resultHash?: string } = {};

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ smtpUrl: sink.url, seedDemo: false });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sink?.close();
    rmSync(files, { recursive: true, force: true });
  });

  /** Console errors and CSP violations fail the test; expected HTTP error answers may be named. */
  const clean = (w: WatchedPage, where: string, expected: RegExp[] = []) =>
    assert.deepEqual(w.problems.splice(0).filter((p) => !expected.some((e) => e.test(p))), [], `console errors on ${where}`);

  test(`${APPLICATIONS} applications arrive and are verified through the mailed links`, async () => {
    const deps = server.runtime.deps;
    event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'selection-e2e', capacity: 150 });
    // Parties of 1–4, 70 % from the preferred US, submitted through the service like the form does.
    const inputs = Array.from({ length: APPLICATIONS }, (_, i) => {
      const party = 1 + ((i * 7 + (i >> 3)) % 4);
      return {
        name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
        email: `applicant${i}@example.com`,
        country: i % 10 < 7 ? 'US' : OTHER_COUNTRIES[i % OTHER_COUNTRIES.length],
        locale: i % 5 === 4 ? 'de' : 'en',
        consent: true,
        answers: { why: 'I have followed the products for years.', fan: i % 2 ? 'yes' : 'no' },
        guests: Array.from({ length: party - 1 }, (_, g) => ({ name: `Guest ${i}.${g + 1}`, relation: g % 2 ? 'family' : 'friend' })),
      };
    });
    for (let i = 0; i < inputs.length; i += 50) await Promise.all(inputs.slice(i, i + 50).map((input) => submitApplication(deps, event.slug, input)));
    // Each applicant follows the link in their verification mail, as the SMTP sink received it: once sent, the
    // outbox keeps no link (ADR 0005).
    const mails = await server.db.db.selectFrom('outbox').select('to_address').where('event_id', '=', event.id).where('kind', '=', 'application.verify').execute();
    assert.equal(mails.length, APPLICATIONS);
    for (const m of mails) {
      const mail = await sink.waitFor((x) => x.to.includes(m.to_address), 60_000);
      await verifyApplication(deps, linkIn(mail.text, '/a/').match(/\/a\/([A-Za-z0-9_-]+)/)![1]);
    }
    const verified = await server.db.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).where('verified', '=', 1).executeTakeFirstOrThrow();
    assert.equal(Number(verified.n), APPLICATIONS);
  });

  test('the organizer signs in and commits on the selection page, naming public randomness', async () => {
    const owner = await createOwner(server);
    org = await openPage(browser);
    const { page } = org;
    await page.goto(`${server.url}/login?next=/admin/events/${event.id}/selection`);
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await Promise.all([page.waitForURL(/\/selection$/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    assert.equal(await page.locator('h1').textContent(), 'Selection');
    await assertAccessible(page, 'selection page (nothing committed)');

    // drand is the default; this test names an unverified source explicitly (its value is typed in below), and fixes
    // the weights and a 40 % maximum for others with the commitment.
    assert.equal(await page.inputValue('#f-weight_preferred'), '3');
    assert.equal(await page.inputValue('#f-weight_other'), '1');
    await page.getByLabel(/Another source, named below/).check();
    await page.getByLabel('Name of the other source').fill(RANDOMNESS_LABEL);
    await page.fill('#f-max_other', '40');
    await Promise.all([page.waitForURL(/done=committed/), page.getByRole('button', { name: 'Commit', exact: true }).click()]);
    await page.getByText('Committed. The commitment is now public.').waitFor();
    const draw = await server.db.db.selectFrom('draws').select(['commitment', 'public_randomness_label']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(draw.public_randomness_label, RANDOMNESS_LABEL);
    assert.match(draw.commitment, /^[0-9a-f]{64}$/);
    published.commitment = draw.commitment;
    await page.locator('#draw-h ~ dl code', { hasText: draw.commitment }).waitFor();
    // Applications are still open: the page says so instead of offering the freeze.
    await page.getByText('Applications are still open.').waitFor();
    await assertAccessible(page, 'selection page (committed)');

    // The commitment is public at once, before the entry list exists.
    const anon = await openPage(browser);
    await anon.page.goto(`${server.url}/e/${event.slug}/draw`);
    assert.equal(await anon.page.locator('#commitment').textContent(), draw.commitment);
    assert.equal(await anon.page.locator('#freeze-hash').count(), 0);
    clean(anon, 'draw page (committed)');
    await anon.context.close();
    clean(org, 'selection page');
  });

  test('the organizer closes applications, freezes with weights 3 : 1 and a 40 % maximum for others, and runs the draw', async () => {
    const { page } = org;
    await page.goto(`${server.url}/admin`);
    const row = page.locator('tr', { has: page.locator(`a[href="/admin/events/${event.id}/applications"]`) });
    await Promise.all([page.waitForURL(/\/status$/), row.getByRole('button', { name: 'Close applications' }).click()]);
    await page.getByRole('heading', { name: 'Confirm: close applications' }).waitFor();
    await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('button', { name: 'Close applications now' }).click()]);
    assert.equal(await row.getByRole('button', { name: 'Close applications' }).count(), 0);

    await page.goto(`${server.url}/admin/events/${event.id}/selection`);
    assert.equal(await page.locator('#f-weight_preferred').count(), 0, 'weights were fixed at the commitment');
    await assertAccessible(page, 'selection page (freeze form)');
    // Freezing cannot be undone: a confirmation page first (counts; the freeze sends no mail).
    await Promise.all([page.waitForURL(/\/selection\/freeze$/), page.getByRole('button', { name: 'Freeze entry list' }).click()]);
    await page.getByText('Freezing sends no mail').waitFor();
    await Promise.all([page.waitForURL(/done=frozen/), page.getByRole('button', { name: 'Freeze the entry list now' }).click()]);
    await page.getByText('The entry list is frozen and its fingerprint published.').waitFor();
    const frozen = await server.db.db.selectFrom('draws').select(['freeze_hash', 'freeze_record']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    published.freezeHash = frozen.freeze_hash!;
    const record = JSON.parse(frozen.freeze_record!);
    assert.equal(record.entries.length, APPLICATIONS);
    assert.equal(record.parameters.seats, 150);
    assert.deepEqual(
      record.parameters.groups.map((g: { key: string; weight: number; maxBasisPoints: number | null }) => [g.key, g.weight, g.maxBasisPoints]),
      [['preferred', 3, null], ['other', 1, 4000]],
    );
    await page.locator('#draw-h ~ dl code', { hasText: published.freezeHash }).waitFor();

    // The value of the named randomness is required to run the draw.
    const value = page.getByLabel(`Value of “${RANDOMNESS_LABEL}”`);
    await value.fill(RANDOMNESS_VALUE);
    // The draw mails everyone: the confirmation page previews each mail in each language first.
    await Promise.all([page.waitForURL(/\/selection\/draw$/), page.getByRole('button', { name: 'Run the draw' }).click()]);
    await page.getByRole('heading', { name: /Offer · Deutsch/ }).waitFor();
    await assertAccessible(page, 'draw confirmation page');
    await Promise.all([page.waitForURL(/done=drawn/), page.getByRole('button', { name: 'Run the draw now' }).click()]);
    await page.getByText('The draw has taken place; mails are on their way.').waitFor();
    const drawn = await server.db.db.selectFrom('draws').select(['result_hash', 'public_randomness_value']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(drawn.public_randomness_value, RANDOMNESS_VALUE);
    published.resultHash = drawn.result_hash!;
    await page.locator('#draw-h ~ dl code', { hasText: published.resultHash }).waitFor();

    // Everyone has an answer: selected parties hold at most the capacity, the others wait in draw order.
    const rows = await server.db.db.selectFrom('applications').select(['status', 'seats', 'country']).where('event_id', '=', event.id).execute();
    const offered = rows.filter((r) => r.status === 'offered');
    const seats = offered.reduce((s, r) => s + (r.seats ?? 0), 0);
    const otherSeats = offered.filter((r) => r.country !== 'US').reduce((s, r) => s + (r.seats ?? 0), 0);
    assert.ok(offered.length > 0 && seats <= 150, `${seats} seats offered`);
    assert.ok(otherSeats <= 60, `others got ${otherSeats} seats (max 40 % of 150)`);
    assert.equal(rows.filter((r) => r.status === 'waitlisted').length, APPLICATIONS - offered.length);
    const seatsText = (await page.locator('#seats').innerText()).replace(/\s+/g, ' ');
    assert.match(seatsText, new RegExp(`Held by the draw and the waitlist ${seats}\\b`));
    await assertAccessible(page, 'selection page (drawn)');
    await shot(page, 'selection-drawn');
    clean(org, 'selection page');
  });

  test('the public draw page shows every published value, and the downloaded bundle verifies', async () => {
    const anon = await openPage(browser);
    const { page } = anon;
    await page.goto(`${server.url}/e/${event.slug}/draw`);
    assert.equal(await page.locator('#commitment').textContent(), published.commitment);
    assert.equal(await page.locator('#freeze-hash').textContent(), published.freezeHash);
    assert.equal(await page.locator('#result-hash').textContent(), published.resultHash);
    assert.equal(await page.locator('#entry-count').textContent(), String(APPLICATIONS));
    await page.getByText(RANDOMNESS_LABEL).waitFor();
    await page.getByText(RANDOMNESS_VALUE).waitFor();
    await assertAccessible(page, 'public draw page');
    await shot(page, 'draw-page');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the audit bundle (JSON)' }).click()]);
    assert.equal(download.suggestedFilename(), `${event.slug}-draw-bundle.json`);
    const file = join(files, download.suggestedFilename());
    await download.saveAs(file);
    const verify = spawnSync(process.execPath, ['bin/admit.js', 'verify-draw', file], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /^verified$/m);
    clean(anon, 'draw page');
    await anon.context.close();
  });

  test('a selected applicant confirms from the mail the SMTP sink caught', async () => {
    // A selected party with guests, so that several named tickets come out of it.
    const withGuests = await server.db.db
      .selectFrom('applications')
      .select(['email', 'seats', 'entry_id'])
      .where('event_id', '=', event.id)
      .where('status', '=', 'offered')
      .where('seats', '>=', 2)
      .where('locale', '=', 'en')
      .orderBy('draw_position')
      .executeTakeFirstOrThrow();
    const mail = await sink.waitFor((m) => m.to.includes(withGuests.email) && m.subject === 'You have been selected: Launch Night New York', 10_000);
    // Those not drawn hear it too, with their place on the waitlist.
    assert.match((await sink.waitFor((m) => m.subject === 'You are on the waitlist: Launch Night New York', 10_000)).text, /on the waitlist\s+at\s+position\s+\d+/);
    statusLink = linkIn(mail.text, '/a/');

    guest = await openPage(browser);
    const { page } = guest;
    await page.goto(statusLink);
    assert.equal((await page.locator('.badge').textContent())?.trim(), 'Place offered');
    assert.equal(await page.locator('.entry-id code').textContent(), withGuests.entry_id);
    await assertAccessible(page, 'status page with the offer');
    await Promise.all([page.waitForURL(/\/tickets\?confirmed=1$/), page.getByRole('button', { name: 'Confirm my place' }).click()]);
    assert.equal(await page.locator('.ticket').count(), withGuests.seats);
    await page.getByText('Thank you — your place is confirmed.').waitFor();
    clean(guest, 'status page and tickets');
  });

  test('the organizer reveals time and venue; the status page shows them, the tickets carry QR codes', async () => {
    const { page } = org;
    await page.goto(`${server.url}/admin/events/${event.id}/reveal`);
    await page.getByLabel('Starts').fill(`${YEAR}-12-12T19:00`);
    await page.getByLabel('Venue').fill('Pier 17');
    await page.getByLabel('Address').fill('89 South St, New York');
    await Promise.all([page.waitForURL(/\/reveal$/), page.getByRole('button', { name: 'Save and reveal now' }).click()]);
    await page.getByRole('heading', { name: 'Confirm: reveal time and venue' }).waitFor();
    await assertAccessible(page, 'reveal confirmation page');
    await page.getByRole('button', { name: 'Reveal and send the mails now' }).click();
    await page.getByText('Revealed. 1 confirmed party has been emailed the details.').waitFor();
    clean(org, 'reveal page');

    const g = guest.page;
    await g.goto(statusLink);
    assert.equal((await g.locator('.badge').first().textContent())?.trim(), 'Place confirmed');
    const revealed = (await g.locator('dl.revealed').innerText()).replace(/\s+/g, ' ');
    assert.match(revealed, new RegExp(`December 12, ${YEAR}`));
    assert.match(revealed, /7:00\s?PM/);
    assert.match(revealed, /Pier 17, 89 South St, New York/);
    await assertAccessible(g, 'status page (confirmed, revealed)');

    await g.goto(statusLink + '/tickets');
    await g.getByText('Pier 17, 89 South St, New York').waitFor();
    const qrs = g.locator('.ticket img.qr');
    const n = await qrs.count();
    assert.ok(n >= 2);
    for (let i = 0; i < n; i++) assert.equal(await qrs.nth(i).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), true, `QR ${i + 1} is drawn`);
    await assertAccessible(g, 'tickets page');
    await shot(g, 'tickets');

    const png = join(files, 'ticket.png');
    await g.locator('.ticket').first().screenshot({ path: png });
    const zbar = spawnSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' });
    assert.equal(zbar.status, 0, `zbarimg found no code: ${zbar.stderr}`);
    ticketCode = zbar.stdout.trim();
    // The event-signed payload (ADR 0015): version, event, ticket, party position, Ed25519 signature.
    assert.match(ticketCode, /^AD1\.[0-9a-z]+\.[0-9a-z]+\.\d+\.[A-Za-z0-9_-]{86}$/);
    // Under the QR code: the short door code a person can type (the signed payload is too long to print).
    assert.match((await g.locator('.ticket').first().locator('.door-code-value').textContent()) ?? '', /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    assert.equal(await g.locator('.ticket .ticket-code').count(), 0);
    clean(guest, 'tickets page');
  });

  test('the door checks the decoded code in once; the second scan is refused', async () => {
    const door = { email: 'door@example.com', password: OWNER_PASSWORD };
    await createUser(server.runtime.deps, 'test', { email: door.email, role: 'door', name: 'Door', password: door.password });
    await onEveryEventTeam(server.runtime.deps, door.email);
    const w = await openPage(browser, { viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const { page } = w;
    await page.goto(`${server.url}/login?next=/checkin`);
    await page.getByLabel('Email address').fill(door.email);
    await page.getByLabel('Password').fill(door.password);
    await Promise.all([page.waitForURL(new RegExp(`/checkin/${event.id}$`)), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.locator('#scanner-toggle').waitFor({ state: 'visible' });
    await assertAccessible(page, 'check-in page');

    await page.getByLabel('Ticket code').fill(ticketCode);
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.locator('.checkin-result.result-ok').getByText('Welcome — checked in').waitFor();
    assert.equal(await page.locator('#count-arrived').textContent(), '1');
    // The result flashes in (0.25 s, from 40 % opacity); contrast is judged on the settled colours.
    await page.locator('#checkin-result').evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    await assertAccessible(page, 'check-in page (admitted)');

    await page.getByLabel('Ticket code').fill(ticketCode);
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.locator('.checkin-result.result-bad').getByText(/Already checked in at \d{1,2}:\d{2}/).waitFor();
    assert.equal(await page.locator('#count-arrived').textContent(), '1');
    // The JSON answer to a repeated scan is refused (409), which Chromium logs; nothing else may appear.
    clean(w, 'check-in page', [/Failed to load resource.*409/]);
    await w.context.close();

    // The ticket page shows the check-in.
    await guest.page.reload();
    await guest.page.locator('.ticket').first().getByText(/Checked in: /).waitFor();
  });
});
