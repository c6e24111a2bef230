import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, openPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const body = (email: string, altcha?: string) => ({
  name: 'Grace Hopper',
  email,
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Compilers' },
  ...(altcha === undefined ? {} : { altcha }),
});

/**
 * ALTCHA under the strict CSP (script-src 'self', no inline styles, workers from 'self'):
 * the real widget must solve the challenge in the browser and the server must accept it exactly once.
 */
describe('ALTCHA proof-of-work with the strict CSP', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer({ captcha: true, captchaCost: 1000 });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function post(payload: object) {
    const res = await fetch(`${server.url}/api/v1/events/launch-nyc/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return { status: res.status, json: (await res.json()) as { error?: { code: string; fields?: { field: string }[] } } };
  }

  /** Solves a fresh challenge the way the widget's worker does, for API clients. */
  async function solvedPayload(): Promise<string> {
    const challenge = (await (await fetch(`${server.url}/api/v1/captcha/challenge`)).json()) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    assert.ok(solution, 'solvable');
    return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
  }

  test('the widget solves the challenge in Chromium and the form submission passes', async () => {
    browser = await launchBrowser();
    const { page, problems, context } = await openPage(browser, { locale: 'en-US' });
    try {
      await page.goto(`${server.url}/e/launch-nyc`);
      assert.equal(await page.locator('altcha-widget').count(), 1);
      await page.fill('#f-name', 'Ada Lovelace');
      await page.fill('#f-email', 'ada@example.org');
      await page.selectOption('#f-country', 'GB');
      await page.fill('#f-answer_why', 'To see the engines');
      await page.check('#f-consent');
      // auto="onfocus": working in the form starts the proof of work; it is done well before the person is.
      await page.waitForFunction(() => (document.querySelector('altcha-widget input[name=altcha]') as HTMLInputElement | null)?.value, null, {
        timeout: 20_000,
      });
      assert.equal(await page.locator('altcha-widget .altcha').getAttribute('data-state'), 'verified');
      await assertAccessible(page, 'event page with the captcha widget');
      await Promise.all([page.waitForURL(/\/e\/launch-nyc\/thanks$/), page.click('button[type=submit]')]);
      const row = await server.db.db.selectFrom('applications').select('name').where('email', '=', 'ada@example.org').executeTakeFirst();
      assert.equal(row?.name, 'Ada Lovelace');
      assert.deepEqual(problems, [], 'no console errors, no CSP violations');
    } finally {
      await context.close();
    }
  });

  test('Space on the ticked box keeps the solved proof; its focus ring is the one every control has', async () => {
    browser ??= await launchBrowser();
    const { page, problems, context } = await openPage(browser, { locale: 'en-US' });
    try {
      await page.goto(`${server.url}/e/launch-nyc`);
      await page.fill('#f-name', 'Mary Somerville');
      await page.fill('#f-email', 'mary@example.org');
      await page.selectOption('#f-country', 'GB');
      await page.fill('#f-answer_why', 'Connexion of the sciences');
      await page.check('#f-consent');
      const proof = () => page.evaluate(() => (document.querySelector('altcha-widget input[name=altcha]') as HTMLInputElement | null)?.value ?? '');
      await page.waitForFunction(() => (document.querySelector('altcha-widget input[name=altcha]') as HTMLInputElement | null)?.value, null, { timeout: 20_000 });
      const solved = await proof();
      const box = page.locator('altcha-widget input[type=checkbox]');
      assert.equal(await box.isChecked(), true);

      // Reach the box from the keyboard, as a keyboard user would: Tab from the consent checkbox.
      await page.focus('#f-consent');
      const ring = (sel: string) =>
        page.locator(sel).evaluate((el) => {
          const st = getComputedStyle(el);
          return { outline: `${st.outlineStyle} ${st.outlineWidth} ${st.outlineColor}`, offset: st.outlineOffset, shadow: st.boxShadow };
        });
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      const consentRing = await ring('#f-consent');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-consent');
      for (let i = 0; i < 5 && !(await box.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'the ALTCHA box is reachable by Tab');
      assert.deepEqual(await ring('altcha-widget input[type=checkbox]'), consentRing, 'the same visible focus ring as the consent box');
      assert.notEqual(consentRing.outline.split(' ')[0], 'none');

      await page.keyboard.press('Space');
      await page.keyboard.press('Space');
      assert.equal(await box.isChecked(), true, 'still ticked');
      assert.equal(await page.locator('altcha-widget .altcha').getAttribute('data-state'), 'verified');
      assert.equal(await proof(), solved, 'the proof is kept');
      await page.locator('altcha-widget .altcha-checkbox-wrap label').click();
      assert.equal(await box.isChecked(), true, 'a click on its label does not untick it either');
      assert.equal(await proof(), solved);

      await Promise.all([page.waitForURL(/\/e\/launch-nyc\/thanks$/), page.click('button[type=submit]')]);
      const row = await server.db.db.selectFrom('applications').select('name').where('email', '=', 'mary@example.org').executeTakeFirst();
      assert.equal(row?.name, 'Mary Somerville');
      assert.deepEqual(problems, [], 'no console errors, no CSP violations');
    } finally {
      await context.close();
    }
  });

  test('the API refuses a missing or forged payload with 422 captcha.failed', async () => {
    const missing = await post(body('nobody@example.org'));
    assert.equal(missing.status, 422);
    assert.equal(missing.json.error?.code, 'captcha.failed');

    const garbage = await post(body('nobody@example.org', 'not-base64-json'));
    assert.equal(garbage.status, 422);
    assert.equal(garbage.json.error?.code, 'captcha.failed');

    // A structurally perfect payload whose parameters were changed after signing (an easier nonce).
    const real = JSON.parse(Buffer.from(await solvedPayload(), 'base64').toString('utf8'));
    real.challenge.parameters.expiresAt += 3600;
    const forged = await post(body('nobody@example.org', Buffer.from(JSON.stringify(real)).toString('base64')));
    assert.equal(forged.status, 422);
    assert.equal(forged.json.error?.code, 'captcha.failed');

    // A self-made challenge signed with a guessed secret.
    const fake = { challenge: { parameters: real.challenge.parameters, signature: 'a'.repeat(64) }, solution: real.solution };
    const guessed = await post(body('nobody@example.org', Buffer.from(JSON.stringify(fake)).toString('base64')));
    assert.equal(guessed.status, 422);

    const n = await server.db.db.selectFrom('applications').select('id').where('email', '=', 'nobody@example.org').execute();
    assert.equal(n.length, 0);
  });

  test('a solved payload is accepted once; replaying it is refused, also when raced', async () => {
    const payload = await solvedPayload();
    const first = await post(body('once@example.org', payload));
    assert.equal(first.status, 202);
    const replay = await post(body('twice@example.org', payload));
    assert.equal(replay.status, 422);
    assert.equal(replay.json.error?.code, 'captcha.failed');

    const raced = await solvedPayload();
    const results = await Promise.all([1, 2, 3].map((i) => post(body(`race${i}@example.org`, raced))));
    assert.deepEqual(results.map((r) => r.status).sort(), [202, 422, 422]);
  });
});
