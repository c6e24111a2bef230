import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmApplication, declineApplication } from '../../src/services/confirmations.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import type { Event } from '../../src/domain/event.ts';

async function confirmed(c: TestContext, event: Event, name: string, guests: string[] = []) {
  const p = await insertParty(c, event, { status: 'offered', name, guests, email: `${name.split(' ')[0].toLowerCase()}@example.com` });
  await confirmApplication(c.deps, p.id);
  return { id: p.id, tickets: await ticketsForApplication(c.db.db, c.deps.config.secret, p.id) };
}

forEachDialect('http: the offline door', (ctx) => {
  test('door staff register a phone; the device API syncs, takes a queue idempotently, and the organizer sees and revokes devices', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20, slug: 'http-door-app' });
    const app = await buildTestApp(c);
    const zoe = await confirmed(c, event, 'Zoë Ångström', ['Ола']);
    const bob = await confirmed(c, event, 'Bob Builder');
    const door = await makeStaff(c, 'door', { events: [event.id] });
    const { browser } = await sessionBrowser(app, c, door);

    // The door page links to the device registration; its form is posted as rendered.
    const doorPage = await browser.get(`/checkin/${event.id}`);
    assert.ok(doorPage.body.includes(`href="/checkin/${event.id}/device"`));
    assert.ok(!doorPage.body.includes(`/admin/events/${event.id}/door`), 'door staff see no organizer board link');
    const reg = await browser.get(`/checkin/${event.id}/device`);
    assert.equal(reg.statusCode, 200);
    const empty = await submitForm(app, browser, findForm(reg.body, `/checkin/${event.id}/device`), { name: '', door: '' });
    assert.equal(empty.statusCode, 422);
    assert.match(empty.body, /aria-invalid="true"/);
    const done = await submitForm(app, browser, findForm(empty.body, `/checkin/${event.id}/device`), { name: 'Phone <A>', door: 'North' });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /<script type="module" src="\/door\/app.js"><\/script>/);
    assert.ok(!done.body.includes('<A>'), 'escaped');
    const token = done.body.match(/data-token="([^"]+)"/)![1];
    assert.equal(done.headers['cache-control'], 'no-store');

    const api = (method: 'GET' | 'POST', url: string, payload?: object, t = token) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${t}` }, ...(payload ? { payload } : {}) });
    assert.equal((await app.inject({ method: 'GET', url: '/api/door/list' })).statusCode, 401);
    const list = await api('GET', '/api/door/list');
    assert.equal(list.statusCode, 200);
    const body = list.json();
    assert.equal(body.full, true);
    assert.equal(body.tickets.length, 3);
    assert.ok(!list.body.includes('@example.com') && !list.body.includes('Zo'), 'no emails, no names by default');
    assert.match(body.event.publicKey, /^[A-Za-z0-9_-]{43}$/);

    // A queue of offline scans, sent twice: the same answers, stored once.
    const at = c.clock.now().toISOString();
    const queue = { scans: [{ scan: 'q-0000000001', code: zoe.tickets[0].token, at, offline: true }, { scan: 'q-0000000002', code: bob.tickets[0].doorCode, at, offline: true }] };
    const first = await api('POST', '/api/door/scans', queue);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json().results.map((r: { outcome: string }) => r.outcome), ['admitted', 'admitted']);
    const again = await api('POST', '/api/door/scans', queue);
    assert.deepEqual(again.json(), first.json());
    assert.equal((await c.db.db.selectFrom('door_scans').select('id').execute()).length, 2);
    assert.equal((await api('POST', '/api/door/scans', { scans: [{ scan: 'bad' }] })).statusCode, 422);

    // The organizer: board, devices, conflicts, settings — each form posted as rendered.
    const owner = await makeStaff(c, 'owner');
    const { browser: ob } = await sessionBrowser(app, c, owner);
    const board = await ob.get(`/admin/events/${event.id}/door`);
    assert.equal(board.statusCode, 200);
    assert.match(board.body, /<strong>2<\/strong> \/ 3/);
    assert.match(board.body, /Phone &lt;A&gt;/);
    assert.match(board.body, /North/);
    assert.match(board.body, /No conflicts\./);
    const settings = await submitForm(app, ob, findForm(board.body, `/admin/events/${event.id}/door/settings`), { offline_names: true });
    assert.equal(settings.statusCode, 303);
    const withNames = (await api('GET', '/api/door/list')).json();
    assert.ok(withNames.tickets.some((t: unknown[]) => t[6] === 'Zoë Ångström'), 'names once allowed');

    // Late revocation: Bob declines; the delta says so.
    c.clock.advance(60_000);
    await declineApplication(c.deps, bob.id);
    const delta = (await api('GET', `/api/door/list?since=${encodeURIComponent(body.cursor)}`)).json();
    assert.equal(delta.full, false);
    assert.deepEqual(delta.tickets.filter((t: unknown[]) => t[0] === bob.tickets[0].id).map((t: unknown[]) => t[5]), [2]);

    const board2 = await ob.get(`/admin/events/${event.id}/door`);
    const revoke = await submitForm(app, ob, parseRevokeForm(board2.body));
    assert.equal(revoke.statusCode, 303);
    const refused = await api('GET', '/api/door/list');
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, 'door.device_revoked');
    assert.match((await ob.get(`/admin/events/${event.id}/door`)).body, /Revoked /);

    // The printable list.
    const pdf = await browser.get(`/checkin/${event.id}/door-list.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    await app.close();
  });

  test('the app shell, its service worker and manifest are served without personal data; sign-out ends the device', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 5, slug: 'http-door-shell' });
    const app = await buildTestApp(c);
    const shell = await app.inject({ method: 'GET', url: '/door/', headers: { 'accept-language': 'de' } });
    assert.equal(shell.statusCode, 200);
    assert.match(shell.body, /<html lang="de"/);
    assert.match(shell.body, /<link rel="manifest" href="\/door\/manifest.webmanifest">/);
    assert.match(String(shell.headers['content-security-policy']), /script-src 'self'/);
    assert.ok(!/_csrf/.test(shell.body), 'no CSRF token: the page is cached for offline starts');
    const sw = await app.inject({ method: 'GET', url: '/door/sw.js' });
    assert.match(sw.body, /admit-door-[0-9a-f]{12}/);
    assert.equal(sw.headers['cache-control'], 'no-cache');
    const manifest = (await app.inject({ method: 'GET', url: '/door/manifest.webmanifest' })).json();
    assert.equal(manifest.start_url, '/door/');
    assert.equal(manifest.display, 'standalone');
    for (const a of ['/door/app.js', '/door/door-code.js', '/assets/jsqr.js', '/assets/door-board.js']) assert.equal((await app.inject({ method: 'GET', url: a })).statusCode, 200, a);

    const door = await makeStaff(c, 'door', { events: [event.id] });
    const { browser } = await sessionBrowser(app, c, door);
    const reg = await browser.get(`/checkin/${event.id}/device`);
    const done = await submitForm(app, browser, findForm(reg.body, `/checkin/${event.id}/device`), { name: 'P', door: 'D' });
    const token = done.body.match(/data-token="([^"]+)"/)![1];
    const out = await app.inject({ method: 'POST', url: '/api/door/sign-out', headers: { authorization: `Bearer ${token}` } });
    assert.equal(out.statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/door/list', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
    await app.close();
  });
});

function parseRevokeForm(page: string) {
  const m = page.match(/action="(\/admin\/events\/[^"]+\/door\/devices\/[^"]+\/revoke)"/);
  assert.ok(m, 'a revoke form');
  return findForm(page, m![1]);
}
