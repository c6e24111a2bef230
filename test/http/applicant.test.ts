import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { parseForm } from '../helpers/form-record.ts';
import { insertDrawnEvent, insertParty } from '../helpers/after-draw.ts';
import { icsEvent } from '../helpers/ics.ts';
import { tokenFromMail } from '../services/draw-fixtures.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import type { FastifyInstance } from 'fastify';

/** Applies through the public API (as a German applicant unless told) and returns the mailed status link's path. */
async function applyFor(c: TestContext, app: FastifyInstance, slug: string, email: string, over: object = {}): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/events/${slug}/applications`,
    payload: { name: 'Erika Mustermann', email, country: 'DE', locale: 'de', consent: true, answers: { why: 'Weil' }, guests: [{ name: 'Max', relation: 'family' }], ...over },
  });
  assert.equal(res.statusCode, 202, res.body);
  return `/a/${await tokenFromMail(c, email)}`;
}

const verifiedOf = async (c: TestContext, email: string) =>
  Number((await c.db.db.selectFrom('applications').select('verified').where('email', '=', email).executeTakeFirstOrThrow()).verified);

/** Posts exactly what the page's form holds (after `change`), like a browser. */
async function submit(b: Browser, page: { body: string }, action: string | RegExp, change: (f: Record<string, string>) => void = () => {}) {
  const form = parseForm(page.body, action);
  assert.equal(form.method, 'post');
  change(form.fields);
  return b.post(form.action, form.fields);
}

forEachDialect('http applicant pages', (ctx) => {
  test('the mailed link verifies nothing on a GET (mail scanners); one button press (POST, CSRF) does, then the status shows', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const link = await applyFor(c, app, event.slug, `verify-${c.dialect}@example.de`);

    // A scanner (no cookies, any language) opens the link: nothing changes.
    const scanned = await app.inject({ url: link, headers: { 'accept-language': 'en' } });
    assert.equal(scanned.statusCode, 200);
    assert.equal(await verifiedOf(c, `verify-${c.dialect}@example.de`), 0, 'a GET does not verify');

    const b = new Browser(app, { 'accept-language': 'en-US,en;q=0.9' });
    const page = await b.get(link);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="de"/, 'in the language chosen when applying, not the browser\'s');
    assert.match(page.body, /<h1>E-Mail-Adresse bestätigen<\/h1>/);
    assert.match(page.body, /<button type="submit" class="primary big">Meine E-Mail-Adresse bestätigen<\/button>/);
    assert.equal(await verifiedOf(c, `verify-${c.dialect}@example.de`), 0);

    // Without the CSRF token the POST is refused.
    assert.equal((await app.inject({ method: 'POST', url: `${link}/verify`, payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode, 403);

    const done = await submit(b, page, `${link}/verify`);
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${link}?verified=1`);
    assert.equal(await verifiedOf(c, `verify-${c.dialect}@example.de`), 1);
    const status = await b.get(done.headers.location as string);
    assert.match(status.body, /Ihre E-Mail-Adresse ist bestätigt/);
    assert.match(status.body, /class="badge status-submitted">Eingegangen</);

    // The switcher still works, and the links between the applicant's pages keep its choice.
    const en = await b.get(`${link}?lang=en`);
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, new RegExp(`href="${link}/edit\\?lang=en"`));
    assert.match(en.body, new RegExp(`href="${link}/withdraw\\?lang=en"`));
    // Without ?lang= it is German again, even with the switcher's cookie for English in the browser.
    assert.match((await b.get(link)).body, /<html lang="de"/);
    await app.close();
  });

  test('edit through the page: GET the form, change a field, post exactly its fields → saved (German and English)', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const email = `edit-${c.dialect}@example.de`;
    const link = await applyFor(c, app, event.slug, email);
    const b = new Browser(app, { 'accept-language': 'en' });
    await submit(b, await b.get(link), `${link}/verify`);

    const page = await b.get(`${link}/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="de"/);
    const form = parseForm(page.body, `${link}/edit`);
    assert.ok(!form.controls.includes('consent'), 'consent was given when applying; the edit does not ask again');
    assert.equal(form.fields.name, 'Erika Mustermann');
    assert.equal(form.fields.guest_name_0, 'Max');
    const saved = await submit(b, page, `${link}/edit`, (f) => {
      f.name = 'Erika Musterfrau';
      f.guest_name_1 = 'Lena';
      f.guest_relation_1 = 'friend';
    });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    assert.equal(saved.headers.location, link);
    const row = await c.db.db.selectFrom('applications').select(['name', 'party_size']).where('email', '=', email).executeTakeFirstOrThrow();
    assert.deepEqual([row.name, row.party_size], ['Erika Musterfrau', 3]);

    // In English via the switcher, and switching the mail language: the status page then follows it.
    const enPage = await b.get(`${link}/edit?lang=en`);
    assert.match(enPage.body, /<h1>Change your application<\/h1>/);
    const enSaved = await submit(b, enPage, /\/edit\?lang=en$/, (f) => {
      f.locale = 'en';
    });
    assert.equal(enSaved.statusCode, 303);
    assert.equal(enSaved.headers.location, `${link}?lang=en`);
    assert.match((await b.get(link)).body, /<html lang="en"/, 'the stored language is now English');

    // A validation error is shown on the page, with the input kept.
    const bad = await submit(b, await b.get(`${link}/edit`), `${link}/edit`, (f) => {
      f.name = '';
    });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /This field is required/);
    await app.close();
  });

  test('an empty application form shows every field error and the robot check together, keeping what was typed', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c, { captcha: true });
    const b = new Browser(app);
    const page = await b.get(`/e/${event.slug}?lang=de`);
    const res = await submit(b, page, `/e/${event.slug}/apply`, (f) => {
      f.guest_name_0 = 'Max';
    });
    assert.equal(res.statusCode, 422);
    const summary = res.body.match(/<div class="error-summary"[\s\S]*?<\/div>/)![0];
    const targets = [...summary.matchAll(/href="#f-([\w-]+)"/g)].map((m) => m[1]);
    for (const field of ['name', 'email', 'country', 'guest_relation_0', 'answer_why', 'consent', 'altcha']) assert.ok(targets.includes(field), `${field} in ${targets}`);
    assert.match(res.body, /<input id="f-guest_name_0" name="guest_name_0" type="text" value="Max"/);
    await app.close();
  });

  test('the status page says the truth for every status, in English and German', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const app = await buildTestApp(c);
    const expected: Record<string, { en: RegExp; de: RegExp }> = {
      submitted: { en: /Received.*Your application is complete/s, de: /Eingegangen.*Ihre Bewerbung ist vollständig/s },
      held: { en: /Under review.*being reviewed/s, de: /In Prüfung.*geprüft/s },
      rejected: { en: /Not accepted.*Thank you for your interest. We are sorry/s, de: /Nicht angenommen.*Vielen Dank für Ihr Interesse/s },
      not_selected: { en: /Not selected.*not selected this time/s, de: /Nicht ausgelost.*diesmal nicht ausgelost/s },
      waitlisted: { en: /On the waitlist.*You are number 2 on the waitlist/s, de: /Auf der Warteliste.*Sie stehen auf Platz 3 der Warteliste/s },
      offered: { en: /Place offered.*reserved for your party until Wednesday, November 4, 2026/s, de: /Platz angeboten.*bis Mittwoch, 4\. November 2026/s },
      confirmed: { en: /Place confirmed.*Your place is confirmed/s, de: /Platz bestätigt.*Ihr Platz ist bestätigt/s },
      declined: { en: /Place given back.*You have given your place back/s, de: /Platz zurückgegeben.*Sie haben Ihren Platz zurückgegeben/s },
      expired: { en: /Offer expired.*seats reserved for you were released/s, de: /Angebot abgelaufen.*Plätze freigegeben/s },
      withdrawn: { en: /Withdrawn.*You have withdrawn/s, de: /Zurückgezogen.*zurückgezogen/s },
    };
    // One party waits ahead; the English party (at 7) is second, the German one (also at 7, a later id) third.
    await insertParty(c, event, { status: 'waitlisted', drawPosition: 3 });
    for (const status of Object.keys(expected)) {
      for (const locale of ['en', 'de'] as const) {
        const p = await insertParty(c, event, { status, locale, drawPosition: status === 'waitlisted' ? 7 : null });
        const page = await app.inject({ url: `/a/${p.token}` });
        assert.equal(page.statusCode, 200);
        const state = page.body.match(/<section aria-labelledby="st-h">[\s\S]*?<\/section>/)![0].replace(/<[^>]+>/g, ' ');
        assert.match(state, expected[status][locale], `${status} (${locale}): ${state}`);
        if (status !== 'held' && status !== 'submitted') assert.doesNotMatch(state, /review|geprüft|Prüfung/, `${status} (${locale}) never says "being reviewed"`);
        assert.doesNotMatch(state, /went to the next party|ging an die nächste Gruppe/, 'no claim about the waitlist');
      }
    }
    await app.close();
  });

  test('a submitted application left out of a fixed draw is told so, not promised a result', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const open = await c.makeEvent();
    const before = await insertParty(c, open, { status: 'submitted' });
    assert.match((await app.inject({ url: `/a/${before.token}` })).body, /Your application is complete/);
    const { event } = await insertDrawnEvent(c);
    for (const [locale, re] of [['en', /Not in the draw.*not on the list of entries/s], ['de', /Nicht in der Auslosung.*nicht auf der Liste der Teilnehmenden/s]] as const) {
      const late = await insertParty(c, event, { status: 'submitted', locale });
      const page = await app.inject({ url: `/a/${late.token}` });
      assert.match(page.body, re);
      assert.doesNotMatch(page.body, /Your application is complete|Ihre Bewerbung ist vollständig/);
    }
    await app.close();
  });

  test('giving a place back says whether a waiting party got the seats', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 2 });
    const app = await buildTestApp(c);
    const b = new Browser(app);
    // Nobody waiting fits: the seats just become free.
    const alone = await insertParty(c, event, { status: 'offered', guests: ['Ada'] });
    const tooBig = await insertParty(c, event, { status: 'waitlisted', guests: ['A', 'B'], drawPosition: 1 });
    let page = await b.get(`/a/${alone.token}/decline`);
    assert.doesNotMatch(page.body, /went to the next party/);
    let done = await submit(b, page, `/a/${alone.token}/decline`);
    assert.equal(done.statusCode, 303);
    let status = await b.get(done.headers.location as string);
    assert.match(status.body, /Your seats are free again/);
    assert.doesNotMatch(status.body, /offered to the next party/);
    assert.equal((await c.db.db.selectFrom('applications').select('status').where('id', '=', tooBig.id).executeTakeFirstOrThrow()).status, 'waitlisted');

    // A waiting party fits: it gets the offer, and the page says so.
    const second = await insertParty(c, event, { status: 'offered', guests: ['Bo'] });
    const fits = await insertParty(c, event, { status: 'waitlisted', guests: ['C'], drawPosition: 2 });
    page = await b.get(`/a/${second.token}/decline`);
    done = await submit(b, page, `/a/${second.token}/decline`);
    status = await b.get(done.headers.location as string);
    assert.match(status.body, /Your seats have been offered to the next party on the waitlist/);
    assert.equal((await c.db.db.selectFrom('applications').select('status').where('id', '=', fits.id).executeTakeFirstOrThrow()).status, 'offered');
    await app.close();
  });

  test('confirmed guests get an "add to calendar" .ics on the status and ticket pages after the reveal, with the current SEQUENCE', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const app = await buildTestApp(c);
    const p = await insertParty(c, event, { status: 'offered', locale: 'de' });
    await confirmApplication(c.deps, p.id);
    const b = new Browser(app);
    assert.doesNotMatch((await b.get(`/a/${p.token}`)).body, /event\.ics/, 'nothing to add before the reveal');
    assert.equal((await b.get(`/a/${p.token}/event.ics`)).statusCode, 404);

    const details = { startsAt: '2026-12-13T00:00:00.000Z', endsAt: '2026-12-13T04:00:00.000Z', venueName: 'Pier 17', venueAddress: '89 South St, New York', venueMapUrl: null, revealAt: null };
    await saveRevealDetails(c.deps, 'owner', event.id, details);
    await revealEvent(c.deps, 'owner', event.id);
    const status = await b.get(`/a/${p.token}`);
    assert.match(status.body, new RegExp(`href="/a/${p.token}/event.ics" download="event.ics"`));
    assert.match(status.body, /Zum Kalender hinzufügen/);
    assert.match((await b.get(`/a/${p.token}/tickets`)).body, new RegExp(`href="/a/${p.token}/event.ics"`));

    const first = await b.get(`/a/${p.token}/event.ics`);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['content-type']), /^text\/calendar/);
    assert.match(String(first.headers['content-disposition']), /attachment; filename="event.ics"/);
    const ev1 = icsEvent(first.body);
    assert.equal(ev1.get('UID'), `event-${event.id}@admit.test`);
    assert.equal(ev1.get('DTSTART'), '20261213T000000Z');
    assert.equal(ev1.get('LOCATION'), 'Pier 17, 89 South St, New York');

    await saveRevealDetails(c.deps, 'owner', event.id, { ...details, startsAt: '2026-12-13T01:00:00.000Z' });
    const ev2 = icsEvent((await b.get(`/a/${p.token}/event.ics`)).body);
    assert.equal(ev2.get('UID'), ev1.get('UID'));
    assert.equal(Number(ev2.get('SEQUENCE')), Number(ev1.get('SEQUENCE')) + 1);
    assert.equal(ev2.get('DTSTART'), '20261213T010000Z');

    // Someone else's status (not confirmed) gets no calendar file.
    const waiting = await insertParty(c, event, { status: 'waitlisted' });
    assert.equal((await b.get(`/a/${waiting.token}/event.ics`)).statusCode, 404);
    await app.close();
  });
});
