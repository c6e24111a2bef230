import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { beaconRandomness, firstRoundAfter, QUICKNET, roundTimeMs, verifyBundle, verifyBundleText } from '../../src/domain/draw/index.ts';
import { flipBit, QUICKNET_ROUND_3 } from '../domain/draw/drand-fixtures.ts';
import { findDrawByEventId } from '../../src/db/repositories/draws.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { commitDraw, DEFAULT_DRAW_DELAY_MS, freezeDraw, runDraw } from '../../src/services/draw.ts';
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

    const committed = await commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'Lotto numbers of 2026-12-05' });
    assert.match(await page(), new RegExp(`<code id="commitment">${committed.commitment}</code>`));
    assert.match(await page(), /Unverified source: Lotto numbers of 2026-12-05/);
    assert.equal((await app.inject({ url: `/e/${event.slug}/draw/entries.json` })).statusCode, 404);
    closeAt(c);
    const frozen = await freezeDraw(c.deps, 'o', event.id);
    const afterFreeze = await page();
    assert.match(afterFreeze, new RegExp(frozen.freezeHash!));
    assert.match(afterFreeze, /<dd id="entry-count">30<\/dd>/);
    assert.match(afterFreeze, /Residents of preferred countries<\/th><td>3<\/td>/);
    assert.doesNotMatch(afterFreeze, /Revealed secret/);
    // Published at the freeze: the secret, the entry list (its SHA-256 is the freeze hash) and who is not an entry, why.
    assert.match(afterFreeze, new RegExp(`<code id="frozen-secret">${frozen.secret}</code>`));
    assert.match(afterFreeze, /Email address never confirmed<\/th><td>0<\/td>/);
    const list = await app.inject({ url: `/e/${event.slug}/draw/entries.json` });
    assert.equal(list.statusCode, 200);
    assert.equal(createHash('sha256').update(list.rawPayload).digest('hex'), frozen.freezeHash);
    assert.equal(list.json().entries.length, 30);
    assert.doesNotMatch(list.body, /@example\.com|Applicant/, 'pseudonymous');
    // Before the draw, an applicant finds their entry id on their status page (and in the list).
    const entrant = await c.db.db.selectFrom('applications').select(['id', 'email', 'entry_id']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    const before = await app.inject({ url: `/a/${event.id}:${entrant.id}` }); // the seeded status token (draw-fixtures)
    assert.match(before.body, new RegExp(`<code[^>]*>${entrant.entry_id}</code>`));
    assert.ok(list.json().entries.some((e: { id: string }) => e.id === entrant.entry_id));

    const { bundle } = await runDraw(c.deps, 'o', event.id, { publicRandomnessValue: '3 11 19 27 34 45' });
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
  test('owner invites (form + CSV), commits through the form (drand round, weights fixed), freezes; reviewer reviews', async () => {
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

    // Invites before the commitment: the seats the draw fixes are what is left.
    let res = await owner.post(`${url}/invite`, { _csrf: csrfFrom(page.body), name: 'Vera', email: 'not-an-email', party_size: '2', category: 'vip', locale: 'de' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /name@example.com/);
    res = await owner.post(`${url}/invite`, { _csrf: csrfFrom(page.body), name: 'Vera', email: 'vera@example.com', party_size: '2', category: 'vip', locale: 'de' });
    assert.equal(res.statusCode, 303);
    res = await owner.post(`${url}/invites-csv`, { _csrf: csrfFrom(page.body), csv: 'name,email,party_size,category\nPia,pia@example.com,1,press\nSam,sam@example.com,3,staff' });
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /Invitations sent: 2/);
    assert.match(page.body, /Held by invites<\/dt><dd>6/);

    // The commit form: drand is the default; an unverified source must be named; weights are checked here.
    assert.match(page.body, /name="randomness" value="drand" checked/);
    res = await submit(app, owner, formFor(page.body, `${url}/commit`).check('randomness', 'unverified'));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /This field is required/);
    res = await submit(app, owner, formFor(page.body, `${url}/commit`).fill('weight_preferred', '0'));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /The draw settings are not valid/);
    res = await submit(app, owner, formFor(page.body, `${url}/commit`).fill('draw_at', '2026-11-01T08:00'));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Choose a time after applications close/);
    res = await submit(app, owner, formFor(page.body, `${url}/commit`).fill('weight_preferred', '5').fill('max_other', '40'));
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /The commitment is now public/);
    assert.match(page.body, /Applications are still open/);
    const committed = (await findDrawByEventId(c.db.db, event.id))!;
    const close = Date.parse(event.applicationsCloseAt!);
    // The form's default time: a day after applications close (to the minute); the round is the first at or after it.
    assert.ok(Math.abs(roundTimeMs(QUICKNET, committed.beaconRound!) - (close + DEFAULT_DRAW_DELAY_MS)) < 60_000 + 3_000);
    assert.equal(committed.beaconRound, firstRoundAfter(QUICKNET, roundTimeMs(QUICKNET, committed.beaconRound!) - 1));
    assert.ok(roundTimeMs(QUICKNET, committed.beaconRound!) > close, 'the round comes after the planned freeze');
    assert.deepEqual(JSON.parse(committed.committedParameters!), {
      seats: 24,
      groups: [
        { key: 'preferred', weight: 5, minBasisPoints: null, maxBasisPoints: null },
        { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: 4000 },
      ],
    });
    const publicPage = (await app.inject({ url: `/e/${event.slug}/draw` })).body;
    assert.match(publicPage, new RegExp(`drand quicknet, round ${committed.beaconRound}`));
    // The JSON API says the same: chain, round, its time, not overdue; and the parameters the commitment fixed.
    const api = (await app.inject({ url: `/api/v1/events/${event.slug}/draw` })).json();
    assert.deepEqual(
      { ...api.randomness, chain: api.randomness.chain === QUICKNET.hash },
      { kind: 'drand', chain: true, chainName: api.randomness.chainName, round: committed.beaconRound, at: new Date(roundTimeMs(QUICKNET, committed.beaconRound!)).toISOString(), overdue: false },
    );
    assert.deepEqual(api.committed, JSON.parse(committed.committedParameters!));

    // Review on the application page (reviewers may review, but not run the draw).
    const reviewer = await signIn(app, c, 'reviewer');
    assert.equal((await reviewer.get(url)).statusCode, 403);
    const detail = await reviewer.get(`/admin/applications/${first}`);
    assert.match(detail.body, /name="decision" value="approve"/);
    res = await reviewer.post(`/admin/applications/${first}/review`, { _csrf: csrfFrom(detail.body), decision: 'approve', note: 'speaker' });
    assert.equal(res.statusCode, 303);
    const after = await reviewer.get(`/admin/applications/${first}`);
    assert.match(after.body, /Internal note:<\/strong> speaker/);

    // The approval took seats the draw had fixed: the freeze says so instead of drawing fewer seats.
    await changeEventStatus(c.deps, 'o', event.id, 'closed');
    page = await owner.get(url);
    assert.doesNotMatch(page.body, /name="weight_preferred"/, 'weights were fixed at the commitment');
    res = await submit(app, owner, formFor(page.body, `${url}/freeze`));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Confirm: freeze the entry list/);
    res = await submit(app, owner, formFor(res.body, `${url}/freeze`));
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Fewer seats are free than the draw committed to/);
    await app.close();
  });

  test('freeze and paste the real drand round through the page: a forged paste is refused, the real one draws', async () => {
    const c = ctx();
    c.clock.set('2023-08-23T12:00:00.000Z');
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 8, slug: `drand-http-${c.dialect}`, applicationsOpenAt: '2023-08-23T11:00:00.000Z', applicationsCloseAt: '2023-08-23T15:00:00.000Z' });
    await seedVerifiedApplications(c, event.id, 12, `dh${c.dialect}`);
    await commitDraw(c.deps, 'o', event.id, { randomness: { kind: 'drand', drawAt: '2023-08-23T15:09:32.000Z' } });
    const url = `/admin/events/${event.id}/selection`;
    c.clock.set('2023-08-23T15:05:00.000Z');
    let owner = await signIn(app, c, 'owner');
    let page = await owner.get(url);
    assert.match(page.body, /<form method="post" action="[^"]*\/freeze"/, page.body.match(/<main[\s\S]*<\/main>/)?.[0]);
    let res = await submit(app, owner, formFor(page.body, `${url}/freeze`));
    res = await submit(app, owner, formFor(res.body, `${url}/freeze`));
    assert.equal(res.statusCode, 303);
    page = await owner.get(url);
    assert.match(page.body, /runs itself when drand round 3 is produced/);

    c.clock.set('2023-08-23T15:30:00.000Z');
    assert.match((await app.inject({ url: `/e/${event.slug}/draw` })).body, /id="overdue"/);
    owner = await signIn(app, c, 'owner');
    page = await owner.get(url);
    res = await submit(app, owner, formFor(page.body, `${url}/draw`).fill('beacon', 'round 3 please'));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Paste the round as JSON/);
    const forged = JSON.stringify({ round: 3, signature: flipBit(QUICKNET_ROUND_3.signature) });
    res = await submit(app, owner, formFor(page.body, `${url}/draw`).fill('beacon', forged));
    assert.equal(res.statusCode, 200, 'the confirmation page');
    res = await submit(app, owner, formFor(res.body, `${url}/draw`));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /This is not the named drand round/);
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'frozen');

    const real = JSON.stringify({ round: 3, randomness: beaconRandomness(QUICKNET_ROUND_3.signature).toString('hex'), signature: QUICKNET_ROUND_3.signature });
    res = await submit(app, owner, formFor(page.body, `${url}/draw`).fill('beacon', real));
    assert.match(res.body, /Confirm: run the draw/);
    res = await submit(app, owner, formFor(res.body, `${url}/draw`));
    assert.equal(res.statusCode, 303);
    page = await owner.get(res.headers.location as string);
    assert.match(page.body, /The draw has taken place/);
    const dl = await app.inject({ url: `/e/${event.slug}/draw/bundle.json` });
    assert.deepEqual(verifyBundleText(dl.body), { ok: true });
    assert.equal(dl.json().publicRandomness.signature, QUICKNET_ROUND_3.signature);
    assert.doesNotMatch((await app.inject({ url: `/e/${event.slug}/draw` })).body, /id="overdue"/);
    await app.close();
  });
});
