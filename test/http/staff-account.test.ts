import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { formFor, urlencoded, type ParsedForm } from '../helpers/forms.ts';
import { createUser, login, SESSION_IDLE_MINUTES } from '../../src/services/users.ts';
import { CURRENT_COST, hashPassword, needsRehash, verifyPassword } from '../../src/platform/password.ts';
import { RESETS_PER_HOUR } from '../../src/services/password-reset.ts';

const PASSWORD = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function post(app: FastifyInstance, b: Browser, form: ParsedForm, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: form.action,
    headers: { ...headers, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: urlencoded(form.fields),
  });
}

/** Signs in through the login form as rendered; returns the browser (cookies) and the response. */
async function signInByForm(app: FastifyInstance, email: string, password: string, ua: string) {
  const b = new Browser(app, { 'user-agent': ua });
  const form = formFor((await b.get('/login')).body, '/login');
  form.fields = form.fields.map(([n, v]) => [n, n === 'email' ? email : n === 'password' ? password : v]);
  const res = await post(app, b, form, { 'user-agent': ua });
  for (const c of res.cookies as { name: string; value: string }[]) b.cookies.set(c.name, c.value);
  return { b, res };
}

const minutes = (c: TestContext, n: number) => c.clock.advance(n * 60_000);

forEachDialect('staff: passwords', (ctx) => {
  test('scrypt at the current cost; an older, cheaper hash is replaced at the next sign-in', async () => {
    const c = ctx();
    const user = await createUser(c.deps, 'test', { email: 'old-hash@admit.test', role: 'admin', password: PASSWORD });
    assert.match(user.password_hash!, new RegExp(`^scrypt\\$${CURRENT_COST.N}\\$${CURRENT_COST.r}\\$${CURRENT_COST.p}\\$`));
    assert.equal(needsRehash(user.password_hash), false);

    const old = await hashPassword(PASSWORD, { N: 16384, r: 8, p: 1 });
    assert.equal(needsRehash(old), true);
    assert.equal(await verifyPassword(PASSWORD, old), true, 'old hashes still verify');
    await c.db.db.updateTable('users').set({ password_hash: old }).where('id', '=', user.id).execute();
    await assert.rejects(login(c.deps, user.email, 'wrong password!'), (e: { code?: string }) => e.code === 'auth.invalid_credentials');
    const unchanged = await c.db.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(unchanged.password_hash, old, 'a failed sign-in changes nothing');
    await login(c.deps, user.email, PASSWORD);
    const now = await c.db.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.notEqual(now.password_hash, old);
    assert.equal(needsRehash(now.password_hash), false);
    assert.equal(await verifyPassword(PASSWORD, now.password_hash), true);
    assert.equal(await verifyPassword(PASSWORD, 'scrypt$1048576000$8$1$AAAA$AAAA'), false, 'absurd stored costs are refused, not computed');
  });
});

forEachDialect('staff: sessions', (ctx) => {
  test('idle and absolute expiry; my sessions page; sign out everywhere else, then everywhere', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    await createUser(c.deps, 'test', { email: 'sessions@admit.test', role: 'door', password: PASSWORD });
    const laptop = await signInByForm(app, 'sessions@admit.test', PASSWORD, FIREFOX);
    assert.equal(laptop.res.statusCode, 303);
    const phone = await signInByForm(app, 'sessions@admit.test', PASSWORD, SAFARI);

    // Idle expiry: used within the idle window, a session lives on; left alone longer, it ends.
    minutes(c, SESSION_IDLE_MINUTES - 1);
    assert.equal((await laptop.b.get('/admin/account')).statusCode, 200);
    minutes(c, SESSION_IDLE_MINUTES - 1);
    const page = await laptop.b.get('/admin/account');
    assert.equal(page.statusCode, 200, 'still alive: it was used in between');
    assert.match(page.body, /Firefox on Windows/);
    assert.doesNotMatch(page.body, /Safari on iOS/, 'the phone session idled out and is not listed');
    const idle = await phone.b.get('/admin/account');
    assert.equal(idle.statusCode, 303);
    assert.match(String(idle.headers.location), /^\/login/);

    // Two sessions again: "sign out everywhere else", posted as the page renders it, keeps only this one.
    const tablet = await signInByForm(app, 'sessions@admit.test', PASSWORD, SAFARI);
    const listed = await laptop.b.get('/admin/account');
    assert.match(listed.body, /Safari on iOS/);
    assert.match(listed.body, /Firefox on Windows <span class="badge">this browser<\/span>/);
    const endOthers = await post(app, laptop.b, formFor(listed.body, '/admin/account/sessions/end-others'));
    assert.equal(endOthers.statusCode, 303);
    const after = await laptop.b.get(String(endOthers.headers.location));
    assert.match(after.body, /Signed out of 1 other session\./);
    assert.equal((await tablet.b.get('/admin/account')).statusCode, 303, 'the tablet is signed out');

    // Absolute expiry: used every 100 minutes, the session still ends 12 hours after sign-in.
    let elapsed = 2 * (SESSION_IDLE_MINUTES - 1);
    while (elapsed + 100 < 12 * 60) {
      minutes(c, 100);
      elapsed += 100;
      assert.equal((await laptop.b.get('/admin/account')).statusCode, 200, `alive after ${elapsed} minutes`);
    }
    minutes(c, 100);
    assert.equal((await laptop.b.get('/admin/account')).statusCode, 303, 'ended 12 hours after sign-in');

    // Sign out everywhere: this browser too.
    const fresh = await signInByForm(app, 'sessions@admit.test', PASSWORD, FIREFOX);
    const other = await signInByForm(app, 'sessions@admit.test', PASSWORD, SAFARI);
    const endAll = await post(app, fresh.b, formFor((await fresh.b.get('/admin/account')).body, '/admin/account/sessions/end-all'));
    assert.equal(endAll.statusCode, 303);
    assert.equal((await fresh.b.get('/admin/account')).statusCode, 303);
    assert.equal((await other.b.get('/admin/account')).statusCode, 303);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('action', '=', 'user.sessions_ended').execute();
    assert.equal(audit.length, 2);
    await app.close();
  });
});

forEachDialect('staff: password reset by mail', (ctx) => {
  test('same answer for unknown addresses; one-time, one hour, stored hashed, rate limited; ends every session', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const user = await createUser(c.deps, 'test', { email: 'forgetful@admit.test', role: 'reviewer', password: PASSWORD });
    const before = await signInByForm(app, user.email, PASSWORD, FIREFOX);
    assert.equal(before.res.statusCode, 303);

    let ip = 0;
    const ask = async (email: string) => {
      // Each from its own address: the per-IP limit of the route is not what this test is about.
      const from = { 'x-forwarded-for': `192.0.2.${++ip}` };
      const b = new Browser(app, from);
      const loginPage = await b.get('/login');
      assert.match(loginPage.body, /href="\/password-reset"/);
      const form = formFor((await b.get('/password-reset')).body, '/password-reset');
      form.fields = form.fields.map(([n, v]) => [n, n === 'email' ? email : v]);
      const res = await post(app, b, form, from);
      assert.equal(res.statusCode, 200);
      return res.body.replace(/name="_csrf" value="[^"]*"/g, '');
    };
    const known = await ask('Forgetful@admit.test ');
    const unknown = await ask('nobody@admit.test');
    assert.equal(known, unknown, 'the page does not tell whether the address has an account');

    const mails = async () => c.db.db.selectFrom('outbox').selectAll().where('template', '=', 'user.password_reset').orderBy('id').execute();
    assert.equal((await mails()).length, 1);
    const url = JSON.parse((await mails())[0].params!).url as string;
    const token = url.split('/').pop()!;
    assert.equal((await mails())[0].to_address, user.email);
    const stored = await c.db.db.selectFrom('password_resets').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0].token_hash, token, 'only the hash is stored');

    // Rate limit per account: RESETS_PER_HOUR mails an hour, then the same answer and no mail.
    for (let i = 1; i < RESETS_PER_HOUR + 2; i++) assert.equal(await ask(user.email), unknown);
    assert.equal((await mails()).length, RESETS_PER_HOUR);

    // Choose a new password through the form as rendered.
    const b = new Browser(app);
    const choose = await b.get(`/password-reset/${token}`);
    assert.equal(choose.statusCode, 200);
    const form = formFor(choose.body, `/password-reset/${token}`);
    const short = await post(app, b, { ...form, fields: form.fields.map(([n, v]) => [n, n === 'password' ? 'short' : v]) });
    assert.equal(short.statusCode, 422);
    const done = await post(app, b, { ...form, fields: form.fields.map(([n, v]) => [n, n === 'password' ? 'a brand new passphrase' : v]) });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/login?reset=1');
    assert.match((await b.get('/login?reset=1')).body, /Your password has been changed/);
    assert.equal((await before.b.get('/admin/account')).statusCode, 303, 'old sessions ended');
    assert.equal((await b.get(`/password-reset/${token}`)).statusCode, 404, 'used once');
    const otherLink = JSON.parse((await mails())[1].params!).url as string;
    assert.equal((await b.get(new URL(otherLink).pathname)).statusCode, 404, 'other open links of the account stop working too');
    assert.equal((await signInByForm(app, user.email, PASSWORD, FIREFOX)).res.statusCode, 401);
    assert.equal((await signInByForm(app, user.email, 'a brand new passphrase', FIREFOX)).res.statusCode, 303);

    // A fresh link expires after an hour.
    c.clock.advance(61 * 60_000);
    await ask(user.email);
    const latest = (await mails()).at(-1)!;
    const path = new URL(JSON.parse(latest.params!).url as string).pathname;
    assert.equal((await b.get(path)).statusCode, 200);
    c.clock.advance(61 * 60_000);
    assert.equal((await b.get(path)).statusCode, 404, 'expired');
    await app.close();
  });
});
