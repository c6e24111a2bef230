import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';

/** Screenshots for docs/ are refreshed only on request (SCREENSHOTS=1), so a normal test run leaves the tree clean. */
const SHOTS = !!process.env.SCREENSHOTS;
const shot = async (page: Page, name: string) => (SHOTS ? screenshot(page, name) : undefined);

const APPLICANT = 'erika.mustermann@example.de';

/**
 * The applicant's whole journey in a real browser against the real runtime: German page, German errors,
 * guests, the mail from a real SMTP sink, the status page, withdrawing; then the organizer's view of it.
 * Every page is checked with axe-core and for console errors (CSP violations included).
 */
describe('applicant journey in Chromium [sqlite]', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  let applicant: WatchedPage;
  let statusLink: string;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ smtpUrl: sink.url });
    browser = await launchBrowser();
    applicant = await openPage(browser, { locale: 'de-DE', extraHTTPHeaders: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sink?.close();
  });

  const clean = (w: WatchedPage, where: string, expected: RegExp[] = []) =>
    assert.deepEqual(w.problems.splice(0).filter((p) => !expected.some((e) => e.test(p))), [], `console errors on ${where}`);

  test('the event page speaks German and the skip link works from the keyboard', async () => {
    const { page } = applicant;
    const res = await page.goto(`${server.url}/e/launch-nyc`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.locator('h1').textContent(), 'Launch-Abend New York');
    await assertAccessible(page, 'event page (de)');
    await shot(page, 'event-de');

    await page.keyboard.press('Tab');
    const skip = page.locator('a.skip');
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'the first Tab lands on the skip link');
    assert.equal((await skip.textContent())?.trim(), 'Zum Inhalt springen');
    const box = await skip.boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'Enter moves focus to the main content');

    const mobile = await openPage(browser, { locale: 'de-DE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await mobile.page.goto(`${server.url}/e/launch-nyc?lang=de`);
      const overflow = await mobile.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 390px (overflow ${overflow}px)`);
      await assertAccessible(mobile.page, 'event page (de, 390px)');
      if (SHOTS) await screenshot(mobile.page, 'event-de-mobile');
      clean(mobile, 'mobile event page');
    } finally {
      await mobile.context.close();
    }
    clean(applicant, 'event page');
  });

  test('a missing required answer gives German errors and keeps every input', async () => {
    const { page } = applicant;
    await page.fill('#f-name', 'Erika Mustermann');
    await page.fill('#f-email', APPLICANT);
    await page.selectOption('#f-country', 'DE');
    await page.fill('#f-guest_name_0', 'Max Mustermann');
    await page.selectOption('#f-guest_relation_0', 'family');
    await page.check('#f-answer_fan-0');
    await page.check('#f-consent');
    // The required "why" answer stays empty.
    await Promise.all([page.waitForURL(/\/e\/launch-nyc\/apply$/), page.click('button[type=submit]')]);

    const summary = page.locator('#error-summary');
    assert.equal((await summary.locator('h2').textContent())?.trim(), 'Es gibt ein Problem');
    assert.deepEqual(await summary.locator('li a').allTextContents(), ['Dieses Feld ist erforderlich.']);
    assert.equal(await summary.locator('li a').getAttribute('href'), '#f-answer_why');
    assert.equal(await page.getAttribute('#f-answer_why', 'aria-invalid'), 'true');
    assert.match((await page.locator('#e-answer_why').textContent()) ?? '', /Dieses Feld ist erforderlich/);
    assert.equal(await page.inputValue('#f-name'), 'Erika Mustermann');
    assert.equal(await page.inputValue('#f-email'), APPLICANT);
    assert.equal(await page.inputValue('#f-country'), 'DE');
    assert.equal(await page.inputValue('#f-guest_name_0'), 'Max Mustermann');
    assert.equal(await page.inputValue('#f-guest_relation_0'), 'family');
    assert.equal(await page.isChecked('#f-answer_fan-0'), true);
    assert.equal(await page.isChecked('#f-consent'), true);
    await assertAccessible(page, 'event page with errors (de)');
    await shot(page, 'event-de-errors');

    // The summary's link takes the keyboard user to the field.
    await summary.locator('li a').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-answer_why');
    // The re-rendered form is answered with 422, which Chromium logs; nothing else may appear.
    clean(applicant, 'error page', [/status of 422/]);
  });

  test('fixed, with two guests, and submitted from the keyboard: "check your email"', async () => {
    const { page } = applicant;
    await page.fill('#f-answer_why', 'Ich verfolge die Produkte seit Jahren und würde das Team gern kennenlernen.');
    await page.fill('#f-guest_name_1', 'Lena Schmidt');
    await page.selectOption('#f-guest_relation_1', 'friend');
    // Keyboard only: from the consent checkbox, Tab reaches the submit button (the honeypot is skipped), Enter sends.
    await page.focus('#f-consent');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('type')), 'submit');
    await Promise.all([page.waitForURL(/\/e\/launch-nyc\/thanks$/), page.keyboard.press('Enter')]);
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Bitte prüfen Sie Ihr E-Mail-Postfach');
    await assertAccessible(page, 'thanks page (de)');
    clean(applicant, 'thanks page');
  });

  test('the mailed link asks for one button press, then shows the status page, verified, with both guests', async () => {
    const { page } = applicant;
    const mail = await sink.waitFor((m) => m.to.includes(APPLICANT));
    assert.equal(mail.subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York');
    statusLink = linkIn(mail.text, '/a/');
    const res = await page.goto(statusLink);
    assert.equal(res?.status(), 200);
    // Opening the link verifies nothing (mail scanners open links too); the button does.
    assert.equal((await page.locator('h1').textContent())?.trim(), 'E-Mail-Adresse bestätigen');
    await assertAccessible(page, 'confirm-your-email page (de)');
    await shot(page, 'verify-de');
    await Promise.all([page.waitForURL(/\?verified=1$/), page.getByRole('button', { name: 'Meine E-Mail-Adresse bestätigen' }).click()]);
    assert.match((await page.locator('.notice.success').textContent()) ?? '', /E-Mail-Adresse ist bestätigt/);
    assert.equal((await page.locator('.badge').textContent())?.trim(), 'Eingegangen');
    const party = await page.locator('ul.party li').allTextContents();
    assert.deepEqual(
      party.map((s) => s.replace(/\s+/g, ' ').trim()),
      ['Erika Mustermann (Sie)', 'Max Mustermann (Familie)', 'Lena Schmidt (Freund/in)'],
    );
    await assertAccessible(page, 'status page (de)');
    await shot(page, 'status-de');
    clean(applicant, 'status page');
  });

  test('on a phone, in German, the applicant changes the application through the edit page', async () => {
    // A phone whose browser asks for English: the pages still speak German, the language of the application.
    const phone = await openPage(browser, { locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page } = phone;
    try {
      await page.goto(statusLink);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      await assertAccessible(page, 'status page (de, 390px)');
      await Promise.all([page.waitForURL(/\/edit$/), page.getByRole('link', { name: 'Bewerbung ändern' }).tap()]);
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Bewerbung ändern');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 390px (overflow ${overflow}px)`);
      await assertAccessible(page, 'edit page (de, 390px)');
      if (SHOTS) await screenshot(page, 'edit-de-mobile');
      assert.equal(await page.inputValue('#f-guest_name_1'), 'Lena Schmidt');
      await page.fill('#f-guest_name_1', 'Lena Schmidt-Berger');
      await page.fill('#f-guest_name_2', 'Paul Berger');
      await page.selectOption('#f-guest_relation_2', 'friend');
      await Promise.all([page.waitForURL(statusLink), page.getByRole('button', { name: 'Änderungen speichern' }).tap()]);
      const party = (await page.locator('ul.party li').allTextContents()).map((x) => x.replace(/\s+/g, ' ').trim());
      assert.deepEqual(party, ['Erika Mustermann (Sie)', 'Max Mustermann (Familie)', 'Lena Schmidt-Berger (Freund/in)', 'Paul Berger (Freund/in)']);
      clean(phone, 'edit on a phone');
    } finally {
      await phone.context.close();
    }
  });

  test('withdrawing asks for confirmation first, then the status says so and a mail confirms it', async () => {
    const { page } = applicant;
    await Promise.all([page.waitForURL(/\/withdraw$/), page.click('a.button.danger')]);
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Bewerbung zurückziehen?');
    await assertAccessible(page, 'withdraw confirmation (de)');
    // "No" goes back without changing anything.
    await Promise.all([page.waitForURL(statusLink), page.click('text=Nein, Bewerbung behalten')]);
    assert.equal((await page.locator('.badge').textContent())?.trim(), 'Eingegangen');
    await Promise.all([page.waitForURL(/\/withdraw$/), page.click('a.button.danger')]);
    await Promise.all([page.waitForURL(statusLink), page.click('button.danger')]);
    assert.equal((await page.locator('.badge').textContent())?.trim(), 'Zurückgezogen');
    assert.equal(await page.locator('a.button.danger').count(), 0, 'nothing left to withdraw');
    await assertAccessible(page, 'status page withdrawn (de)');
    const mail = await sink.waitFor((m) => m.to.includes(APPLICANT) && m.subject.startsWith('Ihre Bewerbung wurde zurückgezogen'));
    assert.match(mail.text, /nimmt nicht mehr an der Auswahl teil/);
    clean(applicant, 'withdrawn status page');
  });

  test('the organizer signs in and sees the application with its guests', async () => {
    const owner = await createOwner(server);
    const organizer = await openPage(browser, { locale: 'en-US' });
    const { page } = organizer;
    try {
      await page.goto(`${server.url}/admin`);
      assert.match(page.url(), /\/login\?next=%2Fadmin$|\/login/);
      await assertAccessible(page, 'login page');
      await page.fill('#f-email', owner.email);
      await page.fill('#f-password', owner.password);
      await Promise.all([page.waitForURL(/\/admin$/), page.press('#f-password', 'Enter')]);
      await assertAccessible(page, 'organizer event list');

      // The event list leads to the event's home; its Applications tab to the list.
      await Promise.all([page.waitForURL(/\/admin\/events\/[^/]+$/), page.click('text=Launch Night New York')]);
      await Promise.all([page.waitForURL(/\/admin\/events\/[^/]+\/applications$/), page.locator('nav.event-tabs').getByRole('link', { name: 'Applications' }).click()]);
      const row = page.locator('table.data tbody tr', { hasText: 'Erika Mustermann' });
      assert.equal(await row.count(), 1);
      // Cells by their column's header, as a person reads the table (columns come and go with the role's tools).
      const headers = (await page.locator('table.data thead th').allTextContents()).map((s) => s.trim());
      const values = (await row.locator('th, td').allTextContents()).map((s) => s.trim());
      const cell = (header: string) => values[headers.indexOf(header)];
      assert.equal(cell('Email address'), APPLICANT);
      assert.equal(cell('Country of residence'), 'Germany');
      assert.equal(cell('Party'), '4', 'party of four (a guest was added on the phone)');
      assert.equal(cell('Status'), 'Withdrawn');
      await assertAccessible(page, 'organizer application list');
      await shot(page, 'admin-applications');

      await Promise.all([page.waitForURL(/\/admin\/applications\/[^/]+$/), row.locator('a').click()]);
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Erika Mustermann');
      const party = (await page.locator('ul.party li').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
      assert.deepEqual(party, ['Erika Mustermann (applicant)', 'Max Mustermann (Family)', 'Lena Schmidt-Berger (Friend)', 'Paul Berger (Friend)']);
      assert.equal((await page.locator('dt', { hasText: 'Do you already use' }).locator('xpath=following-sibling::dd').textContent())?.trim(), 'Yes');
      const history = (await page.locator('ul.history li').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
      assert.ok(history.some((h) => h.startsWith('The applicant withdrew the application.')), `history: ${history.join(' | ')}`);
      // Every mail the applicant got, by kind, date and state — no link, no body.
      const mails = (await page.locator('section.application-mails tbody tr td:nth-child(2)').allTextContents()).map((s) => s.trim());
      assert.ok(mails.includes('Confirm your email'), `mails: ${mails.join(' | ')}`);
      assert.equal(await page.locator('section.application-mails a').count(), 0);
      await assertAccessible(page, 'organizer application detail');
      await shot(page, 'admin-application');
      clean(organizer, 'organizer pages');
    } finally {
      await organizer.context.close();
    }
  });
});
