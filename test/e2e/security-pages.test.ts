import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The pages issue 10 changed, in Chromium: the mail viewer with capability links redacted (and its note), the
 * application detail with names isolated in <bdi>; axe-core at desktop and phone width, screenshots to look at.
 */
let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer({ smtpUrl: null });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('mail viewer (links redacted) and application detail (bdi names) are accessible at desktop and phone width', async () => {
  const res = await fetch(`${server.url}/api/v1/events/launch-nyc/applications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Eve \u202egnp.exe', email: 'eve@example.com', country: 'US', locale: 'en', consent: true, answers: { why: 'x' }, guests: [{ name: 'Mallory Bob', relation: 'friend' }] }),
  });
  assert.equal(res.status, 202);
  const mail = await server.db.db.selectFrom('outbox').select('id').where('to_address', '=', 'eve@example.com').executeTakeFirstOrThrow();
  const app = await server.db.db.selectFrom('applications').select('id').where('email', '=', 'eve@example.com').executeTakeFirstOrThrow();
  const owner = await createOwner(server);

  for (const [label, viewport] of [['desktop', { width: 1100, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    const { page, problems, context } = await openPage(browser, { viewport });
    try {
      await page.goto(`${server.url}/login?next=/admin/mail/${mail.id}`);
      await page.getByLabel('Email address').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await Promise.all([page.waitForURL(new RegExp(`/admin/mail/${mail.id}$`)), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
      const text = await page.locator('pre.mail-text').textContent();
      assert.match(text ?? '', /\/a\/\[redacted\]/);
      await page.getByText('Links that act for the recipient').waitFor();
      await assertAccessible(page, `mail viewer (${label})`);
      await screenshot(page, `security-mail-viewer-${label}`);

      await page.goto(`${server.url}/admin/applications/${app.id}`);
      assert.equal(await page.locator('h1 bdi').textContent(), 'Eve gnp.exe');
      await assertAccessible(page, `application detail (${label})`);
      await screenshot(page, `security-application-${label}`);
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await context.close();
    }
  }
});
