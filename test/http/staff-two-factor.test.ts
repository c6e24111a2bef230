import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { formFor, setChecked, urlencoded, type ParsedForm } from '../helpers/forms.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.ts';

const PASSWORD = 'correct horse battery';

function post(app: FastifyInstance, b: Browser, form: ParsedForm) {
  return app.inject({
    method: 'POST',
    url: form.action,
    headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: urlencoded(form.fields),
  });
}
async function submit(app: FastifyInstance, b: Browser, form: ParsedForm, values: Record<string, string> = {}) {
  form.fields = form.fields.map(([n, v]) => [n, values[n] ?? v]);
  const res = await post(app, b, form);
  for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) b.cookies.delete(c.name);
    else b.cookies.set(c.name, c.value);
  }
  return res;
}
async function passwordStep(app: FastifyInstance, email: string) {
  const b = new Browser(app);
  const res = await submit(app, b, formFor((await b.get('/login')).body, '/login'), { email, password: PASSWORD });
  return { b, res };
}
const code = (c: TestContext, secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: c.clock.now().getTime(), algorithm: 'SHA1', digits: 6, period: 30 });

/** Signs in with the password and sets up TOTP through the pages; returns the secret and recovery codes. */
async function enrol(app: FastifyInstance, c: TestContext, email: string) {
  const { b } = await passwordStep(app, email);
  const page = await b.get('/admin/account/two-factor');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<figure class="totp-qr" role="img" aria-label="[^"]+"><svg /, 'QR code inline (no script, no remote image)');
  const secret = page.body.match(/<code class="totp-secret">([A-Z2-7 ]+)<\/code>/)![1].replaceAll(' ', '');
  assert.equal(secret.length, 32, '160-bit secret');
  const again = await b.get('/admin/account/two-factor');
  assert.ok(again.body.includes(page.body.match(/<code class="totp-secret">[^<]+/)![0]), 'a reload shows the same secret');
  const wrong = await submit(app, b, formFor(again.body, '/admin/account/two-factor'), { code: '000000' === code(c, secret) ? '111111' : '000000' });
  assert.equal(wrong.statusCode, 422);
  const ok = await submit(app, b, formFor(wrong.body, '/admin/account/two-factor'), { code: code(c, secret) });
  assert.equal(ok.statusCode, 200);
  const recovery = [...ok.body.matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code><\/li>/g)].map((m) => m[1]);
  assert.equal(recovery.length, 10);
  return { b, secret, recovery };
}

forEachDialect('staff: two-factor sign-in (TOTP)', (ctx) => {
  const user = (c: TestContext, role: Role, email: string) => createUser(c.deps, 'test', { email, role, password: PASSWORD });

  test('set up with QR/secret and a first code; then sign-in asks for a code; codes work once; recovery codes once', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    await user(c, 'admin', 'totp@admit.test');
    const { secret, recovery } = await enrol(app, c, 'totp@admit.test');
    const stored = await c.db.db.selectFrom('staff_totp').selectAll().executeTakeFirstOrThrow();
    assert.ok(!stored.secret_sealed.includes(secret), 'the secret is sealed at rest');
    const hashes = await c.db.db.selectFrom('staff_recovery_codes').select('code_hash').execute();
    assert.equal(hashes.length, 10);
    assert.ok(!hashes.some((h) => recovery.includes(h.code_hash) || recovery.map((r) => r.replace('-', '')).includes(h.code_hash)));

    // The password alone no longer signs in.
    c.clock.advance(30_000);
    const first = await passwordStep(app, 'totp@admit.test');
    assert.equal(first.res.statusCode, 303);
    assert.match(String(first.res.headers.location), /^\/login\/two-factor/);
    assert.ok(!first.b.cookies.has(SESSION_COOKIE), 'no session before the second factor');
    assert.equal((await first.b.get('/admin')).statusCode, 303);
    const step = await first.b.get(String(first.res.headers.location));
    const wrong = await submit(app, first.b, formFor(step.body, '/login/two-factor'), { code: '12345' });
    assert.equal(wrong.statusCode, 401);
    const current = code(c, secret);
    const signedIn = await submit(app, first.b, formFor(wrong.body, '/login/two-factor'), { code: current });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, '/admin');
    assert.equal((await first.b.get('/admin')).statusCode, 200);

    // The same code again (a replay, even within its 30 seconds) is refused; the next period's code works.
    const replay = await passwordStep(app, 'totp@admit.test');
    const replayStep = await replay.b.get(String(replay.res.headers.location));
    assert.equal((await submit(app, replay.b, formFor(replayStep.body, '/login/two-factor'), { code: current })).statusCode, 401);
    c.clock.advance(30_000);
    assert.equal((await submit(app, replay.b, formFor(replayStep.body, '/login/two-factor'), { code: code(c, secret) })).statusCode, 303);

    // A code from five minutes ago is refused (outside the ±1 step window).
    const late = await passwordStep(app, 'totp@admit.test');
    const old = code(c, secret);
    c.clock.advance(90_000);
    const lateStep = await late.b.get(String(late.res.headers.location));
    assert.equal((await submit(app, late.b, formFor(lateStep.body, '/login/two-factor'), { code: old })).statusCode, 401);

    // A recovery code (typed in capitals, with spaces) signs in once.
    const rec = await passwordStep(app, 'totp@admit.test');
    const recStep = await rec.b.get(String(rec.res.headers.location));
    assert.equal((await submit(app, rec.b, formFor(recStep.body, '/login/two-factor'), { code: ` ${recovery[3].toUpperCase()} ` })).statusCode, 303);
    const rec2 = await passwordStep(app, 'totp@admit.test');
    const rec2Step = await rec2.b.get(String(rec2.res.headers.location));
    assert.equal((await submit(app, rec2.b, formFor(rec2Step.body, '/login/two-factor'), { code: recovery[3] })).statusCode, 401, 'used up');
    assert.match((await rec.b.get('/admin/account/two-factor')).body, /9 unused recovery codes left/);

    // The password step expires after five minutes.
    const slow = await passwordStep(app, 'totp@admit.test');
    c.clock.advance(6 * 60_000);
    const expired = await slow.b.get(String(slow.res.headers.location));
    assert.equal(expired.statusCode, 303);
    assert.equal(expired.headers.location, '/login');
    const actions = (await c.db.db.selectFrom('audit_log').select('action').where('action', 'like', 'user.%').execute()).map((r) => r.action);
    assert.ok(actions.includes('user.two_factor_enabled') && actions.includes('user.recovery_code_used'));
    await app.close();
  });

  test('the owner can require 2FA for owners and admins: they are sent to set it up; reviewers are not', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    await user(c, 'owner', 'boss@admit.test');
    await user(c, 'admin', 'policy-admin@admit.test');
    await user(c, 'reviewer', 'policy-reviewer@admit.test');
    const owner = await passwordStep(app, 'boss@admit.test');
    const usersPage = await owner.b.get('/admin/users');
    const policy = formFor(usersPage.body, '/admin/users/two-factor-policy');
    setChecked(policy, 'require_2fa', 'yes', true);
    assert.equal((await submit(app, owner.b, policy)).statusCode, 303);
    const audit = await c.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'security.two_factor_policy_changed').execute();
    assert.equal(audit.length, 1);

    // The owner (no second factor yet) is held at the set-up page from now on, as is the admin.
    const held = await owner.b.get('/admin/users');
    assert.equal(held.statusCode, 303);
    assert.equal(held.headers.location, '/admin/account/two-factor');
    const admin = await passwordStep(app, 'policy-admin@admit.test');
    assert.equal((await admin.b.get('/admin')).headers.location, '/admin/account/two-factor');
    assert.match((await admin.b.get('/admin/account/two-factor')).body, /requires owners and admins to use two-factor sign-in/);
    const reviewer = await passwordStep(app, 'policy-reviewer@admit.test');
    assert.equal((await reviewer.b.get('/admin')).statusCode, 200, 'reviewers are not held');

    // After setting it up the admin goes on.
    const { b } = await enrol(app, c, 'policy-admin@admit.test');
    assert.equal((await b.get('/admin')).statusCode, 200);

    // A lost phone: the owner (set up too now) resets the admin's second factor from the staff list.
    const boss = await enrol(app, c, 'boss@admit.test');
    const adminId = (await c.db.db.selectFrom('users').select('id').where('email', '=', 'policy-admin@admit.test').executeTakeFirstOrThrow()).id;
    const list = await boss.b.get('/admin/users');
    assert.match(list.body, /Two-factor sign-in on/);
    assert.equal((await submit(app, boss.b, formFor(list.body, `/admin/users/${adminId}/reset-two-factor`))).statusCode, 303);
    assert.equal((await b.get('/admin')).headers.location, '/admin/account/two-factor', 'held again until set up anew');
    const reset = await c.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.two_factor_reset').execute();
    assert.deepEqual(reset.map((r) => r.subject_id), [adminId]);
    await app.close();
  });
});
