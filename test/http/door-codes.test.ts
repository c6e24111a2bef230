import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { createApiToken } from '../../src/services/api-tokens.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';
import { parseDoorCode } from '../../src/domain/door-code.ts';

const PASSWORD = 'correct horse battery';

async function signIn(app: FastifyInstance, c: TestContext, role: Role): Promise<Browser> {
  const email = `${role}-${c.dialect}@admit.test`;
  if (!(await c.db.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())) {
    await createUser(c.deps, 'test', { email, role, password: PASSWORD });
  }
  await onEveryEventTeam(c.deps, email);
  const b = new Browser(app);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email, password: PASSWORD, next: '/checkin' });
  assert.equal(res.statusCode, 303);
  return b;
}

/** Swaps the first two different neighbouring symbols: a typical typo. */
function typo(code: string): string {
  const s = code.replace('-', '');
  const i = [...s].findIndex((ch, j) => j < 8 && ch !== s[j + 1]);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

forEachDialect('door codes', (ctx) => {
  test('a short code under every QR code and in the mail; typed in lowercase at the door; a typo is refused; names show the party', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, slug: 'door-codes' });
    const app = await buildTestApp(c);
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada Lovelace', guests: ['Charles Babbage', 'Mary Somerville'], locale: 'en' });

    // The guest confirms through the status page's form, as rendered.
    const guest = new Browser(app);
    const status = await guest.get(`/a/${p.token}`);
    const confirm = await submitForm(app, guest, findForm(status.body, `/a/${p.token}/confirm`));
    assert.equal(confirm.statusCode, 303);
    const tickets = await guest.get(confirm.headers.location as string);
    const codes = [...tickets.body.matchAll(/<strong class="door-code-value" dir="ltr">([^<]+)<\/strong>/g)].map((m) => m[1]);
    assert.equal(codes.length, 3, 'one door code per QR code');
    for (const code of codes) {
      assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      assert.equal(parseDoorCode(code).ok, true);
    }
    assert.equal(new Set(codes).size, 3);
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.confirmed').where('to_address', '=', p.email).executeTakeFirstOrThrow());
    for (const code of codes) assert.ok(mail.text_body.includes(code), `the confirmation mail names ${code}`);
    const stored = await c.db.db.selectFrom('tickets').select('door_code').where('application_id', '=', p.id).execute();
    assert.deepEqual(stored.map((r) => r.door_code).sort(), codes.map((x) => x.replace('-', '')).sort(), 'stored canonical, without the hyphen');

    const viaApi = await app.inject({ url: `/api/v1/applications/${p.token}/tickets` });
    assert.equal(viaApi.statusCode, 200);
    assert.deepEqual(viaApi.json().tickets.map((tk: { doorCode: string }) => tk.doorCode), codes, 'the applicant API names the door codes too');

    const door = await signIn(app, c, 'door');
    let page = await door.get(`/checkin/${event.id}`);

    // A typo: refused with a clear message, nothing checked in.
    const wrong = await submitForm(app, door, findForm(page.body, `/checkin/${event.id}`, 'code'), { code: typo(codes[1]).toLowerCase() });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /Door code mistyped/);
    assert.match(wrong.body, /<span id="count-arrived">0<\/span>/);

    // Lowercase, no hyphen, O for 0 and l for 1 where they occur: admitted.
    const typed = codes[1].replace('-', '').toLowerCase().replaceAll('0', 'o').replaceAll('1', 'l');
    const ok = await submitForm(app, door, findForm(wrong.body, `/checkin/${event.id}`, 'code'), { code: typed });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /Welcome — checked in/);
    assert.match(ok.body, /Charles Babbage/);
    const again = await submitForm(app, door, findForm(ok.body, `/checkin/${event.id}`, 'code'), { code: codes[1] });
    assert.equal(again.statusCode, 409, 'the same code twice: already checked in');

    // Name search shows who else is in the party and how many are in already.
    page = await submitForm(app, door, findForm(again.body, `/checkin/${event.id}`, 'q'), { q: 'mary' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Party of 3, 1 checked in:/);
    assert.match(page.body, /Ada Lovelace/);
    assert.match(page.body, /<bdi>Charles Babbage<\/bdi> <span aria-label="checked in">✓<\/span>/);
    const pick = await submitForm(app, door, findForm(page.body, `/checkin/${event.id}`, 'ticket'));
    assert.equal(pick.statusCode, 200);
    assert.match(pick.body, /<span id="count-arrived">2<\/span>/);

    // The API takes the door code too, without naming the event.
    const { token } = await createApiToken(c.deps, 'test', { email: `door-${c.dialect}@admit.test`, name: 'door app' });
    const headers = { authorization: `Bearer ${token}` };
    const bad = await app.inject({ method: 'POST', url: '/api/v1/checkin/scan', headers, payload: { code: typo(codes[0]), event: event.slug } });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.code, 'ticket.bad_check');
    const api = await app.inject({ method: 'POST', url: '/api/v1/checkin/scan', headers, payload: { code: codes[0].toLowerCase() } });
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(api.json().ticket.holderName, 'Ada Lovelace');
    assert.deepEqual(api.json().counts, { expected: 3, arrived: 3 });
    await app.close();
  });
});
