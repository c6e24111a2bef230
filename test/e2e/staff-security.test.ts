import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { demoEventInput } from '../../src/services/demo.ts';
import { createEvent } from '../../src/services/events.ts';
import { createUser } from '../../src/services/users.ts';
import { assertAccessible, launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { createOwner, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Staff security pages in Chromium against the real runtime: axe on each new page (desktop and phone width),
 * a passkey registered and used to sign in through the DevTools virtual authenticator (WebAuthn needs a secure
 * context: http://127.0.0.1 is one; the RP ID is PUBLIC_URL's hostname), then TOTP set up and used.
 */
describe('staff security pages and passkeys, in Chromium [sqlite]', () => {
  let server: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let owner: { email: string; password: string };
  /** WebAuthn refuses IP addresses as RP IDs: browse as http://localhost (also a secure context), PUBLIC_URL alike. */
  let base: string;

  before(async () => {
    server = await startTestServer({ seedDemo: false });
    base = server.url.replace('127.0.0.1', 'localhost');
    server.config.publicUrl = base;
    browser = await launchBrowser();
    const deps = server.runtime.deps;
    owner = await createOwner(server);
    const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: 'staff-e2e' });
    await createUser(deps, 'test', { email: 'rita@example.com', role: 'reviewer' });
    await createUser(deps, 'test', { email: 'dora@example.com', role: 'door' });
    void event;
    w = await openPage(browser, { locale: 'en-US' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const clean = (where: string) => assert.deepEqual(w.problems.splice(0), [], `console errors on ${where}`);
  async function check(name: string) {
    await assertAccessible(w.page, name);
    await screenshot(w.page, `staff-${name}`);
    await w.page.setViewportSize({ width: 390, height: 844 });
    await assertAccessible(w.page, `${name} (phone)`);
    await screenshot(w.page, `staff-${name}-phone`);
    await w.page.setViewportSize({ width: 1100, height: 900 });
    clean(name);
  }

  test('login, password reset, users (teams + 2FA policy), my account: accessible', async () => {
    const { page } = w;
    await page.goto(`${base}/login`);
    await check('login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await check('password-reset');
    await page.goto(`${base}/login`);
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.goto(`${base}/admin/users`);
    await page.getByRole('group', { name: /rita@example.com/ }).getByLabel(/staff-e2e/).check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('group', { name: /rita@example.com/ }).getByRole('button', { name: 'Save events' }).click()]);
    await page.getByText('Events saved for rita@example.com.').waitFor();
    await check('users');
    await page.getByRole('link', { name: 'My account' }).click();
    await check('account');
  });

  test('a passkey is added with the virtual authenticator and signs in without a password', async () => {
    const { page, context } = w;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(`${base}/admin/account/passkeys`);
    await check('passkeys-empty');
    await page.getByLabel('Name').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/admin\/account\/passkeys\?added=1$/).catch(async (err) => {
      throw new Error(`${err.message}\nstatus: ${await page.locator('#passkey-status').textContent()}\n${w.problems.join('\n')}`);
    });
    await page.getByRole('rowheader', { name: 'Test laptop' }).waitFor();
    await check('passkeys');
    const stored = await server.db.db.selectFrom('staff_passkeys').selectAll().execute();
    assert.equal(stored.length, 1);

    // Sign out, then in with the passkey only.
    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    const button = page.getByRole('button', { name: 'Use a passkey' });
    await button.waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL(/\/admin$/), button.click()]);
    assert.match(await page.locator('h1').textContent() ?? '', /Events/);
    const used = await server.db.db.selectFrom('staff_passkeys').select('last_used_at').executeTakeFirstOrThrow();
    assert.ok(used.last_used_at, 'last use recorded');
    clean('passkey sign-in');
  });

  test('two-factor set-up (QR code) and the code step at sign-in', async () => {
    const { page } = w;
    await page.goto(`${base}/admin/account/two-factor`);
    await page.locator('.totp-qr svg').waitFor();
    await check('two-factor-setup');
    const secret = (await page.locator('.totp-secret').textContent())!.replaceAll(' ', '');
    const code = () => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    await page.locator('#f-code').fill(code());
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await check('two-factor-recovery');
    assert.equal(await page.locator('ul.recovery-codes li').count(), 10);
    const recovery = (await page.locator('ul.recovery-codes li').first().textContent())!.trim();

    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await Promise.all([page.waitForURL(/\/login\/two-factor/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await check('two-factor-step');
    // A recovery code (TOTP codes at sign-in are tested with an injected clock in test/http/staff-two-factor.test.ts).
    await page.locator('#f-code').fill(recovery);
    await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    clean('two-factor sign-in');
  });
});
