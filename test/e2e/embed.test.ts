import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { assertAccessible, openPage, screenshot } from '../helpers/browser.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SHOTS = !!process.env.SCREENSHOTS;
const APPLICANT = 'embed.bewerberin@example.de';

/** A brand's own website: another origin (localhost, another port) whose page carries the snippet. */
async function hostSite(snippet: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Markenseite</title></head>
<body><main><h1>Unsere Veranstaltung</h1><p>Auf dieser Website können Sie sich bewerben.</p>${snippet()}</main></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

/**
 * The form on the brand's own site, in Chromium with third-party cookies blocked: the page from a second origin
 * embeds it with the snippet, the frame grows to its content, a person applies in German through it and the mail
 * arrives; a page from a third, unlisted origin gets no form.
 */
describe('embedded form in Chromium [sqlite]', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  let listed: { server: Server; origin: string };
  let unlisted: { server: Server; origin: string };

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ smtpUrl: sink.url });
    const snippet = () => `<script src="${server.url}/embed.js" data-event="launch-nyc" async></script>`;
    listed = await hostSite(snippet);
    unlisted = await hostSite(snippet);
    const event = await server.db.db.selectFrom('events').select('id').where('slug', '=', 'launch-nyc').executeTakeFirstOrThrow();
    await server.db.db
      .insertInto('event_brands')
      .values({ event_id: event.id, accent_color: '#0b6e4f', cover_set: null, logo_set: null, alt_text: '{}', embed_origins: JSON.stringify([listed.origin]), updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('event_id').doUpdateSet({ embed_origins: JSON.stringify([listed.origin]) }))
      .execute();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      // Third-party cookies blocked, as Safari, Firefox and Chrome's tracking protection do.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--test-third-party-cookie-phaseout'],
      timeout: 30_000,
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => listed?.server.close(r));
    await new Promise((r) => unlisted?.server.close(r));
    await server?.stop();
    await sink?.close();
  });

  test('a listed site embeds the form; it resizes itself; a person applies in German; the mail arrives', async () => {
    const w = await openPage(browser, { locale: 'de-DE' });
    const { page, context } = w;
    await page.goto(`${listed.origin}/`);
    const iframe = page.locator('iframe');
    await iframe.waitFor();
    assert.equal(await iframe.getAttribute('title'), 'Anmeldeformular');
    const frame = page.frameLocator('iframe');
    await frame.locator('#f-name').waitFor();
    // The frame reports its height; the snippet sets it (the form is taller than the initial 900 px).
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe')!;
      return f.style.height !== '' && Math.abs(f.getBoundingClientRect().height - Number(f.style.height.replace('px', ''))) < 2;
    });
    const height = await iframe.evaluate((f) => f.getBoundingClientRect().height);
    assert.ok(height > 900, `frame grew to its content (${height}px)`);
    const inner = page.frames().find((f) => f.url().includes('/e/launch-nyc/embed'))!;
    const contentHeight = await inner.evaluate(() => document.documentElement.getBoundingClientRect().height);
    assert.ok(Math.abs(contentHeight - height) < 4, `no inner scroll bar (${contentHeight} vs ${height})`);
    assert.equal(await inner.evaluate(() => document.documentElement.lang), 'de');
    await assertAccessible(inner.page(), 'host page with the embedded form');
    if (SHOTS) await screenshot(page, 'embed-de');

    await frame.locator('#f-name').fill('Jana Beispiel');
    await frame.locator('#f-email').fill(APPLICANT);
    await frame.locator('#f-country').selectOption('DE');
    await frame.locator('#f-answer_why').fill('Ich möchte die neuen Produkte als Erste sehen.');
    await frame.locator('#f-consent').check();
    await frame.locator('button[type=submit]').click();
    await frame.locator('h1', { hasText: 'Bitte prüfen Sie Ihr E-Mail-Postfach' }).waitFor();

    const mail = await sink.waitFor((m) => m.to.includes(APPLICANT));
    assert.match(mail.subject, /^Bitte bestätigen Sie Ihre Bewerbung/);
    assert.deepEqual(await context.cookies(server.url), [], 'no cookie was stored for the form (third-party cookies blocked) and it worked anyway');
    assert.deepEqual(w.problems.filter((p) => !/third-party|cookie/i.test(p)), []);
    await context.close();
  });

  test('an unlisted site gets no form: the browser refuses to frame it', async () => {
    const w = await openPage(browser, { locale: 'de-DE' });
    const { page, context } = w;
    const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 30_000 }).catch(() => null);
    await page.goto(`${unlisted.origin}/`);
    await page.locator('iframe').waitFor();
    const message = await refused;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const fields = frame ? await frame.locator('#f-name').count().catch(() => 0) : 0;
    assert.equal(fields, 0, 'the form is not shown inside the unlisted site');
    assert.ok(message, 'Chromium reports the frame-ancestors refusal');
    await context.close();
  });
});
