import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom, fieldValue } from '../helpers/http.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { updateEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { cachePage, chooseEncoding, coalesced, SLOT_MARKS, stitchPage } from '../../src/http/event-page-cache.ts';

const fill = (email: string) => ({
  name: 'Grace Hopper',
  email,
  country: 'US',
  guest_name_0: 'Ada Lovelace',
  guest_relation_0: 'friend',
  answer_why: 'Compilers',
  consent: true,
});

test('stitching: gzip and brotli answers decode to exactly the identity page with the visitor values', () => {
  const page = `<!doctype html><p>${'Länder und Zeiten '.repeat(500)}</p><form><input name="_csrf" value="${SLOT_MARKS.csrf}"><input name="form_token" value="${SLOT_MARKS.formToken}"></form>${'x'.repeat(70_000)}`;
  const cached = cachePage(page, []);
  const values = { csrf: 'abc-DEF_123', formToken: 'tok<"&>' };
  const identity = stitchPage(cached, values, 'identity').toString();
  assert.equal(identity, page.replace(SLOT_MARKS.csrf, 'abc-DEF_123').replace(SLOT_MARKS.formToken, 'tok&lt;&quot;&amp;&gt;'));
  assert.equal(gunzipSync(stitchPage(cached, values, 'gzip')).toString(), identity);
  // The tail is over 64 KiB here: more than one uncompressed meta-block.
  assert.equal(brotliDecompressSync(stitchPage(cached, values, 'br')).toString(), identity);
  assert.ok(stitchPage(cached, values, 'br').length < identity.length / 2 + 70_000);
});

test('coalesced reads: callers share reads, and nobody gets a read that started before they arrived', async () => {
  let value = 0;
  const started: Array<{ at: number; finish: () => void }> = [];
  const read = coalesced(
    () =>
      new Promise<number>((resolve) => {
        const at = value;
        started.push({ at, finish: () => resolve(at) });
      }),
  );
  const a = read();
  assert.equal(started.length, 1);
  value = 1; // a commit after the first read began
  const b = read();
  const c = read();
  assert.equal(started.length, 1, 'b and c wait for the next read instead of joining the running one');
  started[0].finish();
  assert.equal(await a, 0);
  await new Promise((r) => setImmediate(r));
  assert.equal(started.length, 2, 'one read for b and c together');
  started[1].finish();
  assert.deepEqual(await Promise.all([b, c]), [1, 1]);
  // Idle again: the next caller starts its own read at once.
  const d = read();
  assert.equal(started.length, 3);
  started[2].finish();
  assert.equal(await d, 1);
});

test('coalesced reads: a failed read fails its callers only; the waiting ones get a fresh read', async () => {
  let n = 0;
  const finish: Array<(ok: boolean) => void> = [];
  const read = coalesced(() => new Promise<number>((resolve, reject) => finish.push((ok) => (ok ? resolve(++n) : reject(new Error('down'))))));
  const a = read();
  const b = read();
  finish[0](false);
  await assert.rejects(a, /down/);
  await new Promise((r) => setImmediate(r));
  finish[1](true);
  assert.equal(await b, 1);
});

test('Accept-Encoding: Brotli first, then gzip, q=0 refuses', () => {
  assert.equal(chooseEncoding(undefined), 'identity');
  assert.equal(chooseEncoding('gzip, deflate, br'), 'br');
  assert.equal(chooseEncoding('gzip'), 'gzip');
  assert.equal(chooseEncoding('br;q=0, gzip;q=0.5'), 'gzip');
  assert.equal(chooseEncoding('identity'), 'identity');
  assert.equal(chooseEncoding('*'), 'br');
});

forEachDialect('event page cache', (ctx) => {
  test('a cached page carries a fresh, valid CSRF token and form token per visitor; both visitors can apply', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const alice = new Browser(app);
    const bob = new Browser(app);
    const pa = await alice.get(`/e/${event.slug}`);
    const pb = await bob.get(`/e/${event.slug}`);
    assert.equal(pa.statusCode, 200);
    assert.equal(pa.headers['cache-control'], 'no-store');
    assert.notEqual(csrfFrom(pa.body), csrfFrom(pb.body));
    assert.notEqual(fieldValue(pa.body, 'form_token'), fieldValue(pb.body, 'form_token'));
    assert.ok(!pa.body.includes('slot'), 'no marker left in the page');
    // A second visit of the same person gets a new form token too (a new rendering of the form).
    const pa2 = await alice.get(`/e/${event.slug}`);
    assert.notEqual(fieldValue(pa2.body, 'form_token'), fieldValue(pa.body, 'form_token'));
    // The first visit set a signed, HttpOnly, SameSite CSRF cookie; the second keeps it (no new secret).
    const set = (pa.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string }[]).find((k) => k.name === 'admit_csrf');
    assert.ok(set && set.httpOnly && set.sameSite === 'Lax' && app.unsignCookie(set.value).valid, 'signed CSRF cookie on a first visit');
    assert.ok(!(pa2.cookies as { name: string }[]).some((k) => k.name === 'admit_csrf'), 'a returning visitor keeps their CSRF secret');
    // A tampered cookie is not trusted: the visitor gets a fresh secret.
    const mallory = new Browser(app);
    mallory.cookies.set('admit_csrf', 'forged.value');
    const pm = await mallory.get(`/e/${event.slug}`);
    assert.ok((pm.cookies as { name: string }[]).some((k) => k.name === 'admit_csrf'));
    // Bob's token with Alice's cookie is refused: the tokens are bound to their visitor.
    const stolen = await alice.post(`/e/${event.slug}/apply`, { _csrf: csrfFrom(pb.body), name: 'X', email: 'x@example.com' });
    assert.equal(stolen.statusCode, 403);
    const ra = await submitForm(app, alice, findForm(pa.body, `/e/${event.slug}/apply`), fill('alice@example.com'));
    const rb = await submitForm(app, bob, findForm(pb.body, `/e/${event.slug}/apply`), fill('bob@example.com'));
    assert.equal(ra.statusCode, 303);
    assert.equal(rb.statusCode, 303);
    const rows = await c.db.db.selectFrom('applications').select('email').where('event_id', '=', event.id).orderBy('email').execute();
    assert.deepEqual(rows.map((r) => r.email), ['alice@example.com', 'bob@example.com']);
    await app.close();
  });

  test('compressed answers (br, gzip) hold the same page; the language is part of the key', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const br = await app.inject({ url: `/e/${event.slug}`, headers: { 'accept-encoding': 'br, gzip', 'accept-language': 'de' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /Accept-Encoding/);
    const brPage = brotliDecompressSync(br.rawPayload).toString();
    assert.match(brPage, /<html lang="de"/);
    assert.match(brPage, /<\/html>$/);
    const gz = await app.inject({ url: `/e/${event.slug}`, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const gzPage = gunzipSync(gz.rawPayload).toString();
    assert.match(gzPage, /<html lang="en"/);
    assert.ok(br.rawPayload.length < brPage.length / 3, `brotli compresses (${br.rawPayload.length} of ${brPage.length} B)`);
    await app.close();
  });

  test('an event edit shows at once on a second instance (shared database, own caches)', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const one = await buildTestApp(c);
    const two = await buildTestApp(c);
    const before = await two.inject({ url: `/e/${event.slug}` });
    assert.match(before.body, /Launch Night New York/);
    // The organizer edits on instance one (the service, as the editor does).
    const input = demoEventInput(c.clock.now());
    await updateEvent(c.deps, 'test', event.id, {
      ...input,
      slug: event.slug,
      content: { ...input.content, en: { ...input.content.en!, title: 'Launch Night, moved to the pier' } },
    });
    const after = await two.inject({ url: `/e/${event.slug}` });
    assert.match(after.body, /Launch Night, moved to the pier/);
    assert.doesNotMatch(after.body, /Launch Night New York/);
    const de = await one.inject({ url: `/e/${event.slug}?lang=de` });
    assert.match(de.body, /<html lang="de"/);
    await one.close();
    await two.close();
  });

  test('drafts and unknown events stay 404 through the cache', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    assert.equal((await app.inject({ url: `/e/${event.slug}` })).statusCode, 200);
    await c.db.db.updateTable('events').set({ status: 'draft' }).where('id', '=', event.id).execute();
    assert.equal((await app.inject({ url: `/e/${event.slug}` })).statusCode, 404);
    assert.equal((await app.inject({ url: '/e/no-such-event' })).statusCode, 404);
    await app.close();
  });
});
