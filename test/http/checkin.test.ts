import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { formFor, submit } from '../helpers/form-submit.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';

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

forEachDialect('http after the draw', (ctx) => {
  test('applicant confirms with fewer guests on the status page, gets printable QR tickets; the door checks in once', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, slug: 'http-door' });
    const app = await buildTestApp(c);
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada <Lovelace>', guests: ['Charles', 'Mary'], locale: 'en' });
    const guest = new Browser(app);
    const status = await guest.get(`/a/${p.token}`);
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /Please confirm by/);
    assert.match(status.body, /name="guest_1" value="yes" checked/);
    assert.ok(!status.body.includes('<Lovelace>'), 'escaped');

    const confirm = await guest.post(`/a/${p.token}/confirm`, { _csrf: csrfFrom(status.body), guest_1: 'yes' });
    assert.equal(confirm.statusCode, 303);
    assert.equal(confirm.headers.location, `/a/${p.token}/tickets?confirmed=1`);
    const tickets = await guest.get(confirm.headers.location as string);
    assert.equal(tickets.statusCode, 200);
    assert.equal((tickets.body.match(/<img class="qr" src="data:image\/svg\+xml;base64,/g) ?? []).length, 2, 'one QR per person: Ada and Mary');
    assert.match(tickets.body, /Mary/);
    assert.ok(!/Charles/.test(tickets.body));
    // The short door code printed under each QR code (the signed QR payload itself is too long to print).
    const code = tickets.body.match(/class="door-code-value" dir="ltr">([^<]+)</)![1];
    const again = await guest.post(`/a/${p.token}/confirm`, { _csrf: csrfFrom(status.body), guest_0: 'yes', guest_1: 'yes' });
    assert.equal(again.statusCode, 303, 'a repeated confirmation is harmless');

    const door = await signIn(app, c, 'door');
    const list = await door.get('/checkin');
    assert.equal(list.statusCode, 303, 'one event with tickets: straight to it');
    const page = await door.get(`/checkin/${event.id}`);
    assert.match(page.body, /<span id="count-arrived">0<\/span> \/ <span id="count-expected">2<\/span>/);
    assert.match(page.body, /<script type="module" src="\/assets\/checkin\.[0-9a-f]{12}\.js"><\/script>/);
    const first = await door.post(`/checkin/${event.id}`, { _csrf: csrfFrom(page.body), code });
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /result-ok/);
    assert.match(first.body, /Welcome — checked in/);
    const second = await door.post(`/checkin/${event.id}`, { _csrf: csrfFrom(first.body), code });
    assert.equal(second.statusCode, 409);
    assert.match(second.body, /result-bad/);
    assert.match(second.body, /Already checked in at 7:00\s?AM/, 'time in the event time zone (New York)');

    // The scanner's JSON endpoint: CSRF header required.
    const csrf = csrfFrom(second.body);
    const cookie = [...door.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const noCsrf = await app.inject({ method: 'POST', url: `/checkin/${event.id}/scan`, headers: { cookie }, payload: { code } });
    assert.equal(noCsrf.statusCode, 403);
    const scan = await app.inject({ method: 'POST', url: `/checkin/${event.id}/scan`, headers: { cookie, 'x-csrf-token': csrf, 'accept-language': 'de' }, payload: { code } });
    assert.equal(scan.statusCode, 409);
    const body = scan.json();
    assert.equal(body.outcome, 'already_checked_in');
    assert.equal(body.ok, false);
    assert.equal(body.detail, 'Ada <Lovelace>');
    assert.deepEqual(body.counts, { expected: 2, arrived: 1 });

    // Name search fallback.
    const found = await door.get(`/checkin/${event.id}?q=mary`);
    assert.match(found.body, /name="ticket" value="/);
    const ticketId = found.body.match(/name="ticket" value="([^"]+)"/)![1];
    const byName = await door.post(`/checkin/${event.id}`, { _csrf: csrfFrom(found.body), ticket: ticketId });
    assert.equal(byName.statusCode, 200);
    assert.match(byName.body, /<span id="count-arrived">2<\/span>/);

    const reviewer = await signIn(app, c, 'reviewer');
    assert.equal((await reviewer.get(`/checkin/${event.id}`)).statusCode, 403, 'reviewers do not work the door');
    assert.equal((await app.inject({ url: '/assets/jsqr.js' })).statusCode, 200);
    await app.close();
  });

  test('organizer reveals time and venue; the confirmed guest sees them, the public page keeps TBA', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, slug: 'http-reveal' });
    const app = await buildTestApp(c);
    const p = await insertParty(c, event, { status: 'confirmed', name: 'Grace' });
    const owner = await signIn(app, c, 'owner');
    const form = await owner.get(`/admin/events/${event.id}/reveal`);
    assert.equal(form.statusCode, 200);
    const bad = await owner.post(`/admin/events/${event.id}/reveal`, { _csrf: csrfFrom(form.body), action: 'reveal', starts_at: '2026-12-12T19:00', venue_name: '' });
    assert.equal(bad.statusCode, 422, 'a venue is needed to reveal');
    const check = await owner.post(`/admin/events/${event.id}/reveal`, {
      _csrf: csrfFrom(bad.body),
      action: 'reveal',
      starts_at: '2026-12-12T19:00',
      ends_at: '2026-12-12T23:00',
      venue_name: 'Pier 17',
      venue_address: '89 South St',
      venue_map_url: 'https://maps.example/pier17',
    });
    // A reveal mails every confirmed guest and cannot be taken back: the confirmation page first, with the mail.
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Confirm: reveal time and venue/);
    assert.match(check.body, /Time and venue · English · 1 recipient/);
    assert.match(check.body, /Pier 17, 89 South St/);
    assert.equal((await c.db.db.selectFrom('events').select('revealed_at').where('id', '=', event.id).executeTakeFirstOrThrow()).revealed_at, null);
    const ok = await submit(app, owner, formFor(check.body, `/admin/events/${event.id}/reveal`));
    assert.equal(ok.statusCode, 303);
    const done = await owner.get(ok.headers.location as string);
    assert.match(done.body, /Revealed\. 1 confirmed party has been emailed/);
    const row = await c.db.db.selectFrom('events').select(['starts_at', 'revealed_at']).where('id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(row.starts_at, '2026-12-13T00:00:00.000Z', '19:00 New York time');
    assert.ok(row.revealed_at);

    const status = await new Browser(app).get(`/a/${p.token}`);
    assert.match(status.body, /Pier 17, 89 South St/);
    assert.match(status.body, /href="https:\/\/maps\.example\/pier17"/);
    const pub = await app.inject({ url: `/e/${event.slug}` });
    assert.ok(!pub.body.includes('Pier 17'), 'the public page keeps time and venue to be announced');
    await app.close();
  });
});
