import { onEveryEventTeam } from '../helpers/staff.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { findDrawByEventId } from '../../src/db/repositories/draws.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { commitDraw } from '../../src/services/draw.ts';
import { revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { createApiToken } from '../../src/services/api-tokens.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { formFor, parseForms, submit, FilledForm } from '../helpers/form-submit.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';

const PASSWORD = 'correct horse battery';

async function signIn(app: FastifyInstance, c: TestContext, role: Role): Promise<Browser> {
  await createUser(c.deps, 'test', { email: `${role}-rv-${c.dialect}@admit.test`, role, password: PASSWORD, name: `The ${role}` }).catch(() => undefined);
  await onEveryEventTeam(c.deps, `${role}-rv-${c.dialect}@admit.test`);
  const b = new Browser(app);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email: `${role}-rv-${c.dialect}@admit.test`, password: PASSWORD, next: '/admin' });
  assert.equal(res.statusCode, 303, `login as ${role}`);
  return b;
}

/** The list's filter form (method get), filled and "submitted": the URL a browser would go to. */
function filterUrl(page: string, path: string, fill: Record<string, string>): string {
  const form = parseForms(page).find((f) => f.method === 'get' && f.controls.some((c) => c.name === 'sort'));
  assert.ok(form, 'the filter form');
  const filled = new FilledForm(form);
  for (const [k, v] of Object.entries(fill)) filled.fill(k, v);
  return `${path}?${new URLSearchParams(filled.entries())}`;
}

const rowNames = (page: string) => [...page.matchAll(/<th scope="row"><a href="[^"]+"><bdi>([^<]+)<\/bdi><\/a>/g)].map((m) => m[1]);

forEachDialect('http review', (ctx) => {
  test('bulk reject from the list: a confirmation page with counts and every mail per language, then the same fields with confirm', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent();
    const ids = await seedVerifiedApplications(c, event.id, 5, 'bk');
    await c.db.db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', ids[2]).execute();
    const owner = await signIn(app, c, 'owner');
    const url = `/admin/events/${event.id}/applications`;

    let page = await owner.get(filterUrl((await owner.get(url)).body, url, { sort: 'name' }));
    assert.equal(page.statusCode, 200);
    const bulk = formFor(page.body, `${url}/bulk`).check('ids', ids[0]).check('ids', ids[1]).check('ids', ids[2]).fill('decision', 'reject').fill('note', 'full house');
    assert.deepEqual(bulk.values('send_mail'), ['yes'], 'the kind mail is the default');
    let res = await submit(app, owner, bulk);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1>Reject 2 applications<\/h1>/);
    assert.match(res.body, /1 selected application cannot take this decision/);
    assert.match(res.body, /Rejection · English · 1 recipient/);
    assert.match(res.body, /Rejection · Deutsch · 1 recipient/);
    assert.match(res.body, /Your application for /);
    assert.match(res.body, /Ihre Bewerbung für /);
    assert.doesNotMatch(res.body, /Hello Applicant 0/, 'placeholders, not personal data, in the preview');
    let rows = await c.db.db.selectFrom('applications').select('status').where('id', 'in', ids.slice(0, 2)).execute();
    assert.deepEqual(rows.map((r) => r.status), ['submitted', 'submitted'], 'nothing changed before the confirmation');

    const confirm = formFor(res.body, `${url}/bulk`);
    assert.deepEqual(confirm.values('ids'), [ids[1], ids[0]]);
    res = await submit(app, owner, confirm);
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /\?sort=name&done=bulk&n=2&skipped=0$/, 'back to the same list');
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /Decision applied to 2 applications\./);
    rows = await c.db.db.selectFrom('applications').select('status').where('id', 'in', ids.slice(0, 2)).execute();
    assert.deepEqual(rows.map((r) => r.status), ['rejected', 'rejected']);
    const mails = (await c.db.db.selectFrom('outbox').selectAll().where('event_id', '=', event.id).where('kind', '=', 'application.rejected').orderBy('to_address').execute()).map(
      withRenderedMail,
    );
    assert.deepEqual(mails.map((m) => [m.to_address, m.locale]), [['bk0@example.com', 'en'], ['bk1@example.com', 'de']]);
    assert.match(mails[0].text_body, /^Hello Applicant 0,/);

    // Hold without a mail: the confirmation says no mail goes out.
    page = await owner.get(url);
    res = await submit(app, owner, formFor(page.body, `${url}/bulk`).check('ids', ids[3]).fill('decision', 'hold'));
    assert.match(res.body, /<h1>Put 1 application on hold<\/h1>/);
    assert.match(res.body, /No mail is sent\./);
    res = await submit(app, owner, formFor(res.body, `${url}/bulk`));
    assert.equal(res.statusCode, 303);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('event_id', '=', event.id).where('action', '=', 'applications.bulk_reviewed').execute();
    assert.equal(audit.length, 2);

    // Approving mails an offer: its preview carries the real deadline (now + the event's confirmation hours) and a placeholder link.
    res = await submit(app, owner, formFor(page.body, `${url}/bulk`).check('ids', ids[4]).fill('decision', 'approve'));
    assert.match(res.body, /<h1>Approve 1 application<\/h1>/);
    assert.match(res.body, /Offer · English · 1 recipient/);
    assert.match(res.body, /November 4, 2026/, '72 hours after November 1');
    assert.match(res.body, /\/a\/\[personal-link\]/);
    assert.doesNotMatch(res.body, /\/a\/[A-Za-z0-9_-]{20,}/, 'no real token');

    // Nothing selected: said so, nothing to confirm.
    res = await submit(app, owner, formFor(page.body, `${url}/bulk`).fill('decision', 'approve'));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Select applications in the list first/);
    await app.close();
  });

  test('sorting, scores and previous/next on the detail page, a rejection from the detail page with or without mail', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ maxPartySize: 4 });
    const ids = await seedVerifiedApplications(c, event.id, 4, 'so');
    // Names out of id order, so the name order differs from the date order.
    for (const [i, name] of ['Dora', 'Ärne', 'Carl', 'bea'].entries()) {
      await c.db.db.updateTable('applications').set({ name, sort_name: name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase() }).where('id', '=', ids[i]).execute();
    }
    const reviewer = await signIn(app, c, 'reviewer');
    const url = `/admin/events/${event.id}/applications`;
    let page = await reviewer.get(filterUrl((await reviewer.get(url)).body, url, { sort: 'name' }));
    assert.deepEqual(rowNames(page.body), ['Ärne', 'bea', 'Carl', 'Dora']);

    // Open "bea" from the name-sorted list: previous is Ärne, next is Carl.
    const link = /<a href="([^"]+)"><bdi>bea<\/bdi><\/a>/.exec(page.body)![1].replaceAll('&amp;', '&');
    assert.equal(link, `/admin/applications/${ids[3]}?list=sort%3Dname`);
    let detail = await reviewer.get(link);
    assert.match(detail.body, new RegExp(`<a href="/admin/applications/${ids[1]}\\?list=sort%3Dname" rel="prev">`));
    assert.match(detail.body, new RegExp(`<a href="/admin/applications/${ids[2]}\\?list=sort%3Dname" rel="next">`));
    assert.match(detail.body, new RegExp(`href="${url}\\?sort=name">`), 'back to the same list');

    // Two reviewers score; the average shows and sorts.
    let res = await submit(app, reviewer, formFor(detail.body, `/admin/applications/${ids[3]}/score`).check('score', '4').fill('score_note', 'lovely answers'));
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, link, 'back where the reviewer was, in the same list');
    const owner = await signIn(app, c, 'owner');
    detail = await owner.get(link);
    res = await submit(app, owner, formFor(detail.body, `/admin/applications/${ids[3]}/score`).check('score', '5'));
    detail = await owner.get(link);
    assert.match(detail.body, /Average: <strong>4\.5 \(2\)<\/strong>/);
    assert.match(detail.body, /lovely answers/);
    res = await submit(app, owner, formFor((await owner.get(`/admin/applications/${ids[0]}`)).body, `/admin/applications/${ids[0]}/score`).check('score', '2'));
    page = await owner.get(filterUrl((await owner.get(url)).body, url, { sort: 'score' }));
    assert.deepEqual(rowNames(page.body).slice(0, 2), ['bea', 'Dora']);
    assert.match(page.body, /<td>4\.5 \(2\)<\/td>/);
    page = await owner.get(`${url}?sort=score&lang=de`);
    assert.match(page.body, /<td>4,5 \(2\)<\/td>/, 'numbers in the reader’s language');

    // Reject on the detail page with the mail unticked: no mail. With it ticked: one, in the applicant's language.
    detail = await reviewer.get(`/admin/applications/${ids[2]}`);
    res = await submit(app, reviewer, formFor(detail.body, `/admin/applications/${ids[2]}/review`).uncheck('send_mail'), { name: 'decision', value: 'reject' });
    assert.equal(res.statusCode, 303);
    detail = await reviewer.get(`/admin/applications/${ids[1]}`);
    res = await submit(app, reviewer, formFor(detail.body, `/admin/applications/${ids[1]}/review`).fill('note', 'no'), { name: 'decision', value: 'reject' });
    const mails = await c.db.db.selectFrom('outbox').select(['to_address', 'locale']).where('event_id', '=', event.id).where('kind', '=', 'application.rejected').execute();
    assert.deepEqual(mails, [{ to_address: 'so1@example.com', locale: 'de' }]);
    await app.close();
  });

  test('blind review: the owner switches it on; reviewers then see no name, address or country; owners still do', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent();
    const ids = await seedVerifiedApplications(c, event.id, 3, 'bl');
    const owner = await signIn(app, c, 'owner');
    const reviewer = await signIn(app, c, 'reviewer');
    const url = `/admin/events/${event.id}/applications`;
    assert.equal((await reviewer.get(url)).body.includes('/review-settings'), false, 'only owners and admins switch it');
    let page = await owner.get(url);
    assert.match(page.body, /Blind review is off/);
    let res = await submit(app, owner, formFor(page.body, `/admin/events/${event.id}/review-settings`));
    assert.equal(res.statusCode, 303);
    assert.match((await owner.get(url)).body, /Blind review is on/);

    page = await reviewer.get(`${url}?q=Applicant&country=DE&sort=name`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Applicant \d|bl\d@example\.com|Deutschland/);
    assert.equal(rowNames(page.body).length, 3, 'search and country filter are off for blind reviewers');
    assert.match(page.body, new RegExp(`Application …${ids[0].slice(-6)}`));
    const detail = await reviewer.get(`/admin/applications/${ids[1]}`);
    assert.doesNotMatch(detail.body, /Applicant 1|bl1@example\.com|Guest 1 \(/);
    assert.match(detail.body, /Name, email address and country are hidden from reviewers/);
    assert.match((await owner.get(`/admin/applications/${ids[1]}`)).body, /<h1><bdi>Applicant 1<\/bdi><\/h1>/);
    // Nor as a spreadsheet: the export is refused to blind reviewers (and not offered), still there for owners.
    assert.doesNotMatch(page.body, /applications\.csv/);
    assert.equal((await reviewer.get(`/admin/events/${event.id}/applications.csv`)).statusCode, 403);
    assert.equal((await owner.get(`/admin/events/${event.id}/applications.csv`)).statusCode, 200);
    // The bulk confirmation does not name them either.
    res = await submit(app, reviewer, formFor(page.body, `${url}/bulk`).check('ids', ids[0]).fill('decision', 'hold'));
    assert.doesNotMatch(res.body, /Applicant 0/);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('event_id', '=', event.id).where('action', 'like', 'review.%').execute();
    assert.deepEqual(audit.map((a) => a.action), ['review.blind_on']);

    // The organizer API hides the same from a reviewer's token.
    const reviewerRow = await c.db.db.selectFrom('users').select('email').where('email', '=', `reviewer-rv-${c.dialect}@admit.test`).executeTakeFirstOrThrow();
    const { token } = await createApiToken(c.deps, 'test', { email: reviewerRow.email, name: 'script' });
    const api = await app.inject({ url: `/api/v1/admin/events/${event.slug}/applications?country=DE`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(api.statusCode, 200);
    const items = api.json().items as { name: string; email: string; country: string }[];
    assert.equal(items.length, 3, 'no country filter for blind reviewers');
    assert.deepEqual([...new Set(items.flatMap((i) => [i.name, i.email, i.country]))], ['']);
    await app.close();
  });

  test('nobody in limbo: held applications block the freeze until decided or excluded explicitly; the draw page says so', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 10 });
    const ids = await seedVerifiedApplications(c, event.id, 6, 'hd');
    const owner = await signIn(app, c, 'owner');
    await commitDraw(c.deps, 'owner', event.id, { publicRandomnessLabel: 'test source' });
    let detail = await owner.get(`/admin/applications/${ids[0]}`);
    let res = await submit(app, owner, formFor(detail.body, `/admin/applications/${ids[0]}/review`), { name: 'decision', value: 'hold' });
    assert.equal(res.statusCode, 303);
    detail = await owner.get(`/admin/applications/${ids[0]}`);
    assert.match(detail.body, /On hold: this application is not an entry in the draw/);

    await changeEventStatus(c.deps, 'o', event.id, 'closed');
    const sel = `/admin/events/${event.id}/selection`;
    let page = await owner.get(sel);
    assert.match(page.body, /1 application is on hold\./);
    res = await submit(app, owner, formFor(page.body, `${sel}/freeze`));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: freeze the entry list/);
    assert.match(res.body, /5 verified applications in the pool become entries/);
    assert.match(res.body, new RegExp(`<a href="/admin/applications/${ids[0]}[^"]*"><bdi>Applicant 0</bdi></a>`));
    const confirm = res.body;
    // Confirmed without ticking the exclusion: refused, with the reason.
    res = await submit(app, owner, formFor(confirm, `${sel}/freeze`));
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Applications are on hold/);
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'committed');
    res = await submit(app, owner, formFor(confirm, `${sel}/freeze`).check('exclude_held'));
    assert.equal(res.statusCode, 303);
    const draw = await findDrawByEventId(c.db.db, event.id, { withRecords: true });
    assert.equal(draw!.heldExcluded, 1);
    assert.equal(JSON.parse(draw!.freezeRecord!).entries.length, 5);
    const publicPage = await app.inject({ url: `/e/${event.slug}/draw` });
    assert.match(publicPage.body, /1 application on hold was explicitly left out of the entry list/);
    page = await owner.get(sel);
    assert.match(page.body, /1 application on hold was explicitly left out/);

    // The draw asks again (the hold still stands), previews its mails, and runs once confirmed with the exclusion.
    res = await submit(app, owner, formFor(page.body, `${sel}/draw`).fill('publicRandomnessValue', 'test value'));
    assert.match(res.body, /Confirm: run the draw/);
    assert.match(res.body, /1 application is on hold\./);
    res = await submit(app, owner, formFor(res.body, `${sel}/draw`).check('exclude_held'));
    assert.equal(res.statusCode, 303, res.body);
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'drawn');
    const held = await c.db.db.selectFrom('applications').select('status').where('id', '=', ids[0]).executeTakeFirstOrThrow();
    assert.equal(held.status, 'held', 'still held: the organizer can still approve or reject it');
    await app.close();
  });

  test('a change of time or venue after the reveal: the confirmation page shows the update mail per language first', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 10 });
    await insertParty(c, event, { status: 'confirmed', name: 'Grace', locale: 'en' });
    await insertParty(c, event, { status: 'confirmed', name: 'Erika', locale: 'de' });
    await insertParty(c, event, { status: 'confirmed', name: 'Karl', locale: 'de' });
    await saveRevealDetails(c.deps, 'o', event.id, { startsAt: '2026-12-13T00:00:00.000Z', endsAt: null, venueName: 'Pier 17', venueAddress: null, venueMapUrl: null, revealAt: null });
    await revealEvent(c.deps, 'o', event.id);
    const owner = await signIn(app, c, 'owner');
    const url = `/admin/events/${event.id}/reveal`;
    const count = async () => (await c.db.db.selectFrom('outbox').select('id').where('event_id', '=', event.id).where('kind', '=', 'event.details_updated').execute()).length;

    // Saving unchanged details mails nobody: no confirmation needed.
    let page = await owner.get(url);
    let res = await submit(app, owner, formFor(page.body, url), { name: 'action', value: 'save' });
    assert.equal(res.statusCode, 303);
    assert.equal(await count(), 0);

    page = await owner.get(url);
    res = await submit(app, owner, formFor(page.body, url).fill('venue_name', 'Hall 5'), { name: 'action', value: 'save' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: change time or venue after the reveal/);
    assert.match(res.body, /3 confirmed parties will be emailed the new details/);
    assert.match(res.body, /Changed time or venue · English · 1 recipient/);
    assert.match(res.body, /Changed time or venue · Deutsch · 2 recipients/);
    assert.match(res.body, /Hall 5/);
    assert.match(res.body, /\/a\/\[personal-link\]\/tickets/);
    assert.equal((await c.db.db.selectFrom('events').select('venue_name').where('id', '=', event.id).executeTakeFirstOrThrow()).venue_name, 'Pier 17', 'nothing saved yet');
    assert.equal(await count(), 0);
    res = await submit(app, owner, formFor(res.body, url));
    assert.equal(res.statusCode, 303);
    assert.equal((await c.db.db.selectFrom('events').select('venue_name').where('id', '=', event.id).executeTakeFirstOrThrow()).venue_name, 'Hall 5');
    assert.equal(await count(), 3);
    await app.close();
  });

  test('closing applications from the dashboard: a confirmation page with the counts, then the same form with confirm', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent();
    await seedVerifiedApplications(c, event.id, 3, 'cl');
    const owner = await signIn(app, c, 'owner');
    const action = `/admin/events/${event.id}/status`;
    let res = await submit(app, owner, formFor((await owner.get('/admin')).body, action));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: close applications/);
    assert.match(res.body, /3 applications have been received \(0 of them/);
    assert.match(res.body, /No mail is sent\./);
    const status = async () => (await c.db.db.selectFrom('events').select('status').where('id', '=', event.id).executeTakeFirstOrThrow()).status;
    assert.equal(await status(), 'open');
    res = await submit(app, owner, formFor(res.body, action));
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin');
    assert.equal(await status(), 'closed');
    await app.close();
  });
});
