import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom, fieldValue } from '../helpers/http.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const apiBody = (email: string, over: object = {}) => ({
  name: 'Grace Hopper',
  email,
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Compilers' },
  guests: [{ name: 'Ada', relation: 'friend' }],
  ...over,
});

forEachDialect('http public', (ctx) => {
  test('event page in German via ?lang, Accept-Language and the remembered cookie; TBA shown', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const de = await b.get(`/e/${event.slug}?lang=de`);
    assert.equal(de.statusCode, 200);
    assert.match(de.body, /<html lang="de" dir="ltr">/);
    assert.match(de.body, /Launch-Abend New York/);
    assert.match(de.body, /Datum und Uhrzeit werden den ausgewählten Gästen mitgeteilt/);
    assert.match(de.body, /Vereinigte Staaten/, 'country names through Intl.DisplayNames');
    const again = await b.get(`/e/${event.slug}`);
    assert.match(again.body, /<html lang="de"/, 'cookie remembers the language');
    const accept = await app.inject({ url: `/e/${event.slug}`, headers: { 'accept-language': 'de-CH, en;q=0.5' } });
    assert.match(accept.body, /<html lang="de"/);
    const en = await app.inject({ url: `/e/${event.slug}` });
    assert.match(en.body, /Launch Night New York/);
    const csp = en.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script, no eval');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self'/);
    assert.equal(en.headers['x-content-type-options'], 'nosniff');
    assert.equal(en.headers['referrer-policy'], 'same-origin');
    assert.equal(en.headers['strict-transport-security'], undefined, 'no HSTS on plain http');
    await app.close();
  });

  test('form: errors in German, every typed value kept; then success redirects to "check your email"', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const page = await b.get(`/e/${event.slug}?lang=de`);
    const form = {
      _csrf: csrfFrom(page.body),
      name: 'Max <Mustermann>',
      email: 'max@example.de',
      country: 'DE',
      locale: 'de',
      guest_name_0: 'Erika',
      guest_relation_0: 'family',
      answer_why: '',
      consent: 'yes',
    };
    const bad = await b.post(`/e/${event.slug}/apply`, form);
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Es gibt ein Problem/);
    assert.match(bad.body, /Dieses Feld ist erforderlich/);
    assert.equal(fieldValue(bad.body, 'name'), 'Max <Mustermann>');
    assert.ok(!bad.body.includes('<Mustermann>'), 'escaped');
    assert.equal(fieldValue(bad.body, 'guest_name_0'), 'Erika');
    assert.match(bad.body, /<option value="family" selected>/);
    assert.match(bad.body, /<option value="DE" selected>/);
    const ok = await b.post(`/e/${event.slug}/apply`, { ...form, _csrf: csrfFrom(bad.body), answer_why: 'Weil' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `/e/${event.slug}/thanks`);
    const thanks = await b.get(ok.headers.location as string);
    assert.match(thanks.body, /Bitte prüfen Sie Ihr E-Mail-Postfach/);
    const rows = await c.db.db.selectFrom('applications').selectAll().where('event_id', '=', event.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].party_size, 2);
    await app.close();
  });

  test('a form post without a valid CSRF token is refused with 403', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    await b.get(`/e/${event.slug}`);
    const res = await b.post(`/e/${event.slug}/apply`, { _csrf: 'forged', name: 'X' });
    assert.equal(res.statusCode, 403);
    const noCookie = await app.inject({ method: 'POST', url: `/e/${event.slug}/apply`, payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(noCookie.statusCode, 403);
    await app.close();
  });

  test('honeypot: a filled hidden field gets the normal answer and stores nothing', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const page = await b.get(`/e/${event.slug}`);
    const res = await b.post(`/e/${event.slug}/apply`, { _csrf: csrfFrom(page.body), website: 'http://spam', name: 'Bot', email: 'bot@example.com', country: 'US', consent: 'yes', answer_why: 'x' });
    assert.equal(res.statusCode, 303);
    const rows = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).execute();
    assert.equal(rows.length, 0);
    await app.close();
  });

  test('API: 202, enumeration-safe duplicate, 422 with localized field messages, 409, 410, 404', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const post = (slug: string, body: object, lang = 'en') =>
      app.inject({ method: 'POST', url: `/api/v1/events/${slug}/applications`, payload: body, headers: { 'accept-language': lang } });
    const first = await post(event.slug, apiBody('api@example.com'));
    assert.equal(first.statusCode, 202);
    assert.equal(first.json().status, 'pending_verification');
    const dup = await post(event.slug, apiBody('API@example.com'));
    assert.equal(dup.statusCode, 202);
    assert.deepEqual(Object.keys(dup.json()).sort(), Object.keys(first.json()).sort());
    assert.equal(dup.json().status, first.json().status);

    const bad = await post(event.slug, apiBody('nope', { country: 'ZZ', consent: false }), 'de');
    assert.equal(bad.statusCode, 422);
    const err = bad.json().error;
    assert.equal(err.code, 'validation.failed');
    assert.deepEqual(err.fields.map((f: { field: string }) => f.field).sort(), ['consent', 'country', 'email']);
    assert.match(err.fields.find((f: { field: string }) => f.field === 'email').message, /E-Mail-Adresse/);

    const missing = await post(event.slug, { name: 'x' });
    assert.equal(missing.statusCode, 422);
    assert.ok(missing.json().error.fields.some((f: { field: string; code: string }) => f.field === 'email' && f.code === 'required'));

    const later = await c.makeEvent({ applicationsOpenAt: '2027-01-01T00:00:00.000Z', applicationsCloseAt: '2027-02-01T00:00:00.000Z' });
    const notOpen = await post(later.slug, apiBody('a@example.com'));
    assert.equal(notOpen.statusCode, 409);
    assert.equal(notOpen.json().error.code, 'event.not_open');
    await changeEventStatus(c.deps, 'test', event.id, 'closed');
    const closed = await post(event.slug, apiBody('b@example.com'));
    assert.equal(closed.statusCode, 410);
    assert.equal(closed.json().error.code, 'event.closed');
    assert.equal((await post('does-not-exist', apiBody('c@example.com'))).statusCode, 404);
    await app.close();
  });

  test('API event, health and OpenAPI document', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const ev = await app.inject({ url: `/api/v1/events/${event.slug}?lang=de` });
    assert.equal(ev.statusCode, 200);
    assert.equal(ev.json().title, 'Launch-Abend New York');
    assert.equal(ev.json().startsAt, null);
    assert.equal(ev.json().maxGuests, 3);
    const h = await app.inject({ url: '/healthz' });
    assert.deepEqual(h.json(), { status: 'ok', database: c.dialect });
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/events/{slug}/applications'].post.responses['422']);
    assert.ok(doc.paths['/api/v1/events/{slug}'].get);
    await app.close();
  });

  test('status page: the link\'s button verifies, then it shows the party; withdraw needs a confirmation step', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    await app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, payload: apiBody('status@example.com') });
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'status@example.com').executeTakeFirstOrThrow());
    const link = mail.text_body.match(/http:\/\/admit\.test(\/a\/[\w-]+)/)![1];
    const b = new Browser(app);
    const first = await b.get(link);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Confirm my email/);
    const verified = await b.post(`${link}/verify`, { _csrf: csrfFrom(first.body) });
    assert.equal(verified.statusCode, 303);
    const status = await b.get(verified.headers.location as string);
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /your email address is confirmed/);
    assert.match(status.body, /Ada/);
    const confirm = await b.get(`${link}/withdraw`);
    assert.match(confirm.body, /Withdraw your application\?/);
    const done = await b.post(`${link}/withdraw`, { _csrf: csrfFrom(confirm.body) });
    assert.equal(done.statusCode, 303);
    assert.match((await b.get(link)).body, /Withdrawn/);
    assert.equal((await app.inject({ url: '/a/not-a-real-token-at-all-123' })).statusCode, 404);
    await app.close();
  });
});
