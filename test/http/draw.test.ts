import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { verifyBundle } from '../../src/domain/draw/index.ts';
import { findDrawByEventId } from '../../src/db/repositories/draws.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { commitDraw, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { formFor, submit } from '../helpers/form-submit.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { closeAt, seedVerifiedApplications, tokenFromMail } from '../services/draw-fixtures.ts';

const PASSWORD = 'correct horse battery';

async function signIn(app: FastifyInstance, c: TestContext, role: Role): Promise<Browser> {
  await createUser(c.deps, 'test', { email: `${role}-${c.dialect}@admit.test`, role, password: PASSWORD }).catch(() => undefined);
  await onEveryEventTeam(c.deps, `${role}-${c.dialect}@admit.test`);
  const b = new Browser(app);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email: `${role}-${c.dialect}@admit.test`, password: PASSWORD, next: '/admin' });
  assert.equal(res.statusCode, 303, `login as ${role}`);
  return b;
}

forEachDialect('public draw page', (ctx) => {
  test('shows each published value as it appears; the bundle downloads and verifies; the status page shows the entry id', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 15 });
    await seedVerifiedApplications(c, event.id, 30, 'pub');
    const page = async (lang = 'en') => (await app.inject({ url: `/e/${event.slug}/draw?lang=${lang}` })).body;

    assert.match(await page(), /not committed to a secret yet/);
    assert.match(await page(), /How the draw works/);
    assert.match(await page('de'), /So funktioniert die Auslosung/);
    assert.equal((await app.inject({ url: `/e/${event.slug}/draw/bundle.json` })).statusCode, 404);

    const committed = await commitDraw(c.deps, 'o', event.id);
    assert.match(await page(), new RegExp(`<code id="commitment">${committed.commitment}</code>`));
    closeAt(c);
    const frozen = await freezeDraw(c.deps, 'o', event.id);
    const afterFreeze = await page();
    assert.match(afterFreeze, new RegExp(frozen.freezeHash!));
    assert.match(afterFreeze, /<dd id="entry-count">30<\/dd>/);
    assert.match(afterFreeze, /Residents of preferred countries<\/th><td>3<\/td>/);
    assert.doesNotMatch(afterFreeze, /Revealed secret/);

    const { bundle } = await runDraw(c.deps, 'o', event.id);
    const afterDraw = await page();
    assert.match(afterDraw, new RegExp(`<code id="result-hash">${bundle.resultHash}</code>`));
    assert.match(afterDraw, new RegExp(`<code id="secret">${bundle.secret}</code>`));
    assert.match(afterDraw, /href="\/e\/[a-z0-9-]+\/draw\/bundle.json"/);

    const dl = await app.inject({ url: `/e/${event.slug}/draw/bundle.json` });
    assert.equal(dl.statusCode, 200);
    assert.match(String(dl.headers['content-type']), /application\/json/);
    assert.match(String(dl.headers['content-disposition']), /attachment; filename="event-\d+-draw-bundle.json"/);
    assert.deepEqual(verifyBundle(dl.json()), { ok: true });
    assert.doesNotMatch(dl.body, /@example\.com|Applicant/, 'pseudonymous');

    // Every entrant can find themselves: the status page shows the entry id.
    const row = await c.db.db.selectFrom('applications').select(['email', 'entry_id']).where('event_id', '=', event.id).where('status', '=', 'waitlisted').executeTakeFirstOrThrow();
    const status = await app.inject({ url: `/a/${await tokenFromMail(c, row.email)}` });
    assert.match(status.body, new RegExp(`<code dir="ltr">${row.entry_id}</code>`));
    assert.ok(bundle.entries.some((e) => e.id === row.entry_id));
    await app.close();
  });
});

forEachDialect('admin selection page', (ctx) => {
  test('owner commits, invites (form + CSV), freezes with weights and draws through the page; reviewer reviews', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 30 });
    const [first] = await seedVerifiedApplications(c, event.id, 40, 'adm');
    const owner = await signIn(app, c, 'owner');
    const url = `/admin/events/${event.id}/selection`;

    assert.match((await owner.get('/admin')).body, new RegExp(`href="${url}"`));
    let page = await owner.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Capacity<\/dt><dd>30/);
    let res = await owner.post(`${url}/commit`, { _csrf: csrfFrom(page.body), publicRandomnessLabel: '' });
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /The commitment is now public/);
    assert.match(page.body, /Applications are still open/);

    res = await owner.post(`${url}/invite`, { _csrf: csrfFrom(page.body), name: 'Vera', email: 'not-an-email', party_size: '2', category: 'vip', locale: 'de' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /name@example.com/);
    res = await owner.post(`${url}/invite`, { _csrf: csrfFrom(page.body), name: 'Vera', email: 'vera@example.com', party_size: '2', category: 'vip', locale: 'de' });
    assert.equal(res.statusCode, 303);
    res = await owner.post(`${url}/invites-csv`, { _csrf: csrfFrom(page.body), csv: 'name,email,party_size,category\nPia,pia@example.com,1,press\nSam,sam@example.com,3,staff' });
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /Invitations sent: 2/);
    assert.match(page.body, /Held by invites<\/dt><dd>6/);

    // Review on the application page (reviewers may review, but not run the draw).
    const reviewer = await signIn(app, c, 'reviewer');
    assert.equal((await reviewer.get(url)).statusCode, 403);
    const detail = await reviewer.get(`/admin/applications/${first}`);
    assert.match(detail.body, /name="decision" value="approve"/);
    res = await reviewer.post(`/admin/applications/${first}/review`, { _csrf: csrfFrom(detail.body), decision: 'approve', note: 'speaker' });
    assert.equal(res.statusCode, 303);
    const after = await reviewer.get(`/admin/applications/${first}`);
    assert.match(after.body, /Internal note:<\/strong> speaker/);

    await changeEventStatus(c.deps, 'o', event.id, 'closed');
    page = await owner.get(url);
    res = await owner.post(`${url}/freeze`, { _csrf: csrfFrom(page.body), weight_preferred: '0', min_preferred: '', max_preferred: '', weight_other: '1', min_other: '', max_other: '' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /The draw settings are not valid/);
    // Freezing cannot be undone: the form first shows a confirmation page, whose form posts the same fields with confirm=yes.
    res = await submit(app, owner, formFor(page.body, `${url}/freeze`).fill('weight_preferred', '5').fill('max_other', '40'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: freeze the entry list/);
    assert.match(res.body, /Freezing sends no mail/);
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'committed', 'nothing changed yet');
    res = await submit(app, owner, formFor(res.body, `${url}/freeze`));
    assert.equal(res.statusCode, 303);
    const frozen = await findDrawByEventId(c.db.db, event.id, { withRecords: true });
    assert.deepEqual(JSON.parse(frozen!.freezeRecord!).parameters.groups[1], { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: 4000 });

    page = await owner.get(url);
    res = await submit(app, owner, formFor(page.body, `${url}/draw`));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: run the draw/);
    assert.match(res.body, /Offer · English · up to \d+ recipients/);
    assert.match(res.body, /Waitlist position · Deutsch · up to \d+ recipients/);
    assert.match(res.body, /\/a\/\[personal-link\]/, 'capability links are placeholders');
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'frozen', 'nothing changed yet');
    res = await submit(app, owner, formFor(res.body, `${url}/draw`));
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /The draw has taken place/);
    res = await owner.post(`${url}/draw`, { _csrf: csrfFrom(page.body) });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /The draw has already taken place/);
    await app.close();
  });
});
