import { onEveryEventTeam } from '../helpers/staff.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { changeEventStatus } from '../../src/services/events.ts';
import { commitDraw, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { inviteGuest } from '../../src/services/invites.ts';
import { reviewApplication } from '../../src/services/review.ts';
import { confirmApplication, declineApplication } from '../../src/services/confirmations.ts';
import { expireOffersAndPromote } from '../../src/services/waitlist.ts';
import { checkInByTicketId } from '../../src/services/checkin.ts';
import { submitApplication } from '../../src/services/applications.ts';
import { createUser, startSession } from '../../src/services/users.ts';
import type { Event } from '../../src/domain/event.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { findForm, fill, getUrl } from '../helpers/form-fill.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';
import { insertParty } from '../helpers/after-draw.ts';

const num = (s: string) => Number(s.replace(/[^\d]/g, ''));

let seq = 0;

/** A staff member; `signIn()` starts the session now (after any clock moves of the setup). */
async function staff(app: FastifyInstance, c: TestContext, role: 'owner' | 'reviewer' = 'owner') {
  const u = await createUser(c.deps, 'test', { email: `${role}-home-${c.dialect}-${++seq}@admit.test`, role, name: `Olga ${role}` });
  await onEveryEventTeam(c.deps, u.email);
  return {
    id: u.id,
    async signIn(): Promise<Browser> {
      const b = new Browser(app);
      b.cookies.set('admit_session', app.signCookie(await startSession(c.deps, u.id)));
      return b;
    },
  };
}

async function owner(app: FastifyInstance, c: TestContext, role: 'owner' | 'reviewer' = 'owner'): Promise<{ b: Browser; id: string }> {
  const s = await staff(app, c, role);
  return { b: await s.signIn(), id: s.id };
}

/** Rows of a chart's data table: label → numbers. */
function chartTable(page: string, id: string): Map<string, number[]> {
  const fig = page.match(new RegExp(`<figure class="chart" id="${id}">([\\s\\S]*?)</figure>`));
  assert.ok(fig, `chart ${id}`);
  const out = new Map<string, number[]>();
  for (const r of fig[1].matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td>[^<]*<\/td>)+)<\/tr>/g)) {
    out.set(r[1], [...r[2].matchAll(/<td>([^<]*)<\/td>/g)].map((m) => num(m[1])));
  }
  return out;
}

/** "Place confirmed</a> <strong>3</strong>" on the applications list. */
function listCount(page: string, label: string): number {
  const m = page.match(new RegExp(`>${label}</a> <strong>([\\d,]+)</strong>`));
  return m ? num(m[1]) : 0;
}

function badge(page: string, label: string): number {
  const m = page.match(new RegExp(`>${label} <span class="badge">([\\d,]+)</span>`));
  assert.ok(m, `list switcher: ${label}`);
  return num(m[1]);
}

const dd = (page: string, dt: string) => {
  const m = page.match(new RegExp(`<dt>${dt}</dt><dd>([^<]*)</dd>`));
  assert.ok(m, dt);
  return m[1];
};

const rowsOf = (page: string) => [...page.matchAll(/<tr><th scope="row"><a href="\/admin\/applications\//g)].length;

/**
 * An event through the draw and after: invites, an approval, the draw, confirmations, a decline, expiries with
 * promotion from the waitlist, a check-in. Builds the state with the services (each has its own tests).
 */
async function eventAfterDraw(c: TestContext, staffId: string): Promise<Event> {
  const event = await c.makeEvent({ capacity: 24, slug: `home-${c.dialect}-${++seq}` });
  const ids = await seedVerifiedApplications(c, event.id, 30, `h${seq}${c.dialect[0]}`);
  for (const i of [0, 1]) {
    await submitApplication(c.deps, event.slug, { name: `Unverified ${i}`, email: `unv${i}-${seq}@example.com`, country: 'CA', locale: 'en', consent: true, answers: { why: 'x' }, guests: [] });
  }
  await inviteGuest(c.deps, staffId, event.id, { name: 'Vera Invite', email: 'vera@example.com', partySize: 2, category: 'vip' });
  await reviewApplication(c.deps, staffId, ids[0], 'approve', '');
  await reviewApplication(c.deps, staffId, ids[1], 'reject', '');
  await commitDraw(c.deps, staffId, event.id, { publicRandomnessLabel: 'test source' });
  await changeEventStatus(c.deps, staffId, event.id, 'closed');
  await freezeDraw(c.deps, staffId, event.id, { groups: [{ key: 'preferred', weight: 3, minBasisPoints: null, maxBasisPoints: null }, { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: null }] });
  await runDraw(c.deps, staffId, event.id, { publicRandomnessValue: 'test value' });
  const offered = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('offer_source', '=', 'draw').where('status', '=', 'offered').orderBy('draw_position').execute();
  assert.ok(offered.length >= 4, 'the draw made offers');
  await confirmApplication(c.deps, offered[0].id);
  await confirmApplication(c.deps, offered[1].id);
  await confirmApplication(c.deps, ids[0]);
  await declineApplication(c.deps, offered[2].id);
  // The rest expire (the invite too); the waitlist moves up.
  c.clock.advance((event.confirmHours + 1) * 3_600_000);
  await expireOffersAndPromote(c.deps);
  const ticket = await c.db.db.selectFrom('tickets').select('id').where('application_id', '=', offered[0].id).orderBy('position').executeTakeFirstOrThrow();
  assert.equal((await checkInByTicketId(c.deps, event.id, ticket.id, staffId)).outcome, 'admitted');
  return event;
}

forEachDialect('event home', (ctx) => {
  test('every number agrees: events list, overview, applications list, selection page and guest lists', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const s = await staff(app, c);
    const event = await eventAfterDraw(c, s.id);
    const b = await s.signIn();
    const base = `/admin/events/${event.id}`;

    const home = await b.get(base);
    assert.equal(home.statusCode, 200);
    const funnel = chartTable(home.body, 'chart-funnel');
    const f = (label: string) => funnel.get(label)?.[0] ?? NaN;
    const apps = (await b.get(`${base}/applications`)).body;
    const selection = (await b.get(`${base}/selection`)).body;
    const events = (await b.get('/admin')).body;
    const guests = (await b.get(`${base}/guests`)).body;

    // One word per meaning: an address is "verified", a seat's attendance "confirmed".
    for (const [name, body] of Object.entries({ home: home.body, apps, selection, events, guests })) {
      assert.doesNotMatch(body, /Email (not )?confirmed/i, name);
      assert.doesNotMatch(body, />Confirmed</, `${name}: a bare "Confirmed"`);
    }

    // Truth from the rows themselves.
    const rows = await c.db.db.selectFrom('applications').select(['status', 'verified', 'seats', 'offer_source', 'party_size']).where('event_id', '=', event.id).execute();
    const count = (p: (r: (typeof rows)[number]) => boolean) => rows.filter(p).length;
    assert.equal(f('Applied'), rows.length);
    assert.equal(f('Email verified'), count((r) => r.verified === 1));
    assert.equal(f('In the selection'), count((r) => r.verified === 1 && r.status !== 'withdrawn' && r.status !== 'rejected'));
    assert.equal(f('Offered a place'), count((r) => ['offered', 'confirmed', 'declined', 'expired'].includes(r.status)));
    assert.equal(f('Confirmed attendance'), count((r) => r.status === 'confirmed'));
    assert.equal(f('Checked in'), 1);

    // The events list says the same.
    const evRow = events.match(new RegExp(`href="${base}">[\\s\\S]*?</tr>`))![0];
    const [, all, verified] = evRow.match(/<td>([\d,]+)<\/td><td>([\d,]+)<\/td>/)!;
    assert.equal(num(all), f('Applied'));
    assert.equal(num(verified), f('Email verified'));
    assert.match(events, /<th scope="col">Email verified<\/th>/, 'never the bare word "Confirmed" for an email');

    // The applications list.
    assert.match(apps, new RegExp(`${f('Applied')} applications for`));
    assert.equal(listCount(apps, 'Place confirmed'), f('Confirmed attendance'));
    assert.equal(
      listCount(apps, 'Place offered') + listCount(apps, 'Place confirmed') + listCount(apps, 'Place given back') + listCount(apps, 'Offer expired'),
      f('Offered a place'),
    );

    // The guest lists: the switcher's counts, the rows each list shows, and the funnel.
    assert.equal(badge(guests, 'Confirmed attendance'), f('Confirmed attendance'));
    assert.equal(badge(guests, 'Checked in'), f('Checked in'));
    assert.equal(badge(guests, 'Waitlist'), listCount(apps, 'On the waitlist'));
    assert.equal(badge(guests, 'Open offers'), listCount(apps, 'Place offered'));
    assert.equal(badge(guests, 'Declined'), listCount(apps, 'Place given back'));
    assert.equal(badge(guests, 'Expired'), listCount(apps, 'Offer expired'));
    assert.equal(badge(guests, 'Invited'), 1);
    for (const [list, label] of [['confirmed', 'Confirmed attendance'], ['waitlist', 'Waitlist'], ['offers', 'Open offers'], ['declined', 'Declined'], ['expired', 'Expired'], ['selected', 'Selected in the draw'], ['checked_in', 'Checked in'], ['invited', 'Invited']] as const) {
      const page = (await b.get(`${base}/guests?list=${list}`)).body;
      assert.equal(rowsOf(page), badge(page, label), `${list}: rows shown = count in the switcher`);
    }

    // The selection page: the draw's result, in words with plurals, and the same seats as the overview.
    const selected = num(selection.match(/([\d,]+) part(?:y|ies) selected/)![1]);
    assert.equal(selected, badge(guests, 'Selected in the draw'));
    assert.doesNotMatch(selection, /\b1 parties\b/);
    for (const label of ['Capacity', 'Held by invites', 'Held by approvals', 'Held by the draw and the waitlist', 'Free']) {
      assert.equal(dd(selection, label), dd(home.body, label), label);
    }
    const seat = (label: string) => num(dd(selection, label));
    assert.equal(seat('Held by invites') + seat('Held by approvals') + seat('Held by the draw and the waitlist') + seat('Free'), seat('Capacity'), 'the seat boxes add up to the capacity');
    const held = rows.filter((r) => r.status === 'offered' || r.status === 'confirmed').reduce((s, r) => s + (r.seats ?? 0), 0);
    assert.equal(seat('Capacity') - seat('Free'), held);
    const confirmedSeats = rows.filter((r) => r.status === 'confirmed').reduce((s, r) => s + (r.seats ?? 0), 0);
    assert.match(selection, new RegExp(`${confirmedSeats} with confirmed attendance`));

    // Party sizes and groups come from counters that match the rows.
    const sizes = chartTable(home.body, 'chart-party_sizes');
    const inSel = rows.filter((r) => r.verified === 1 && r.status !== 'withdrawn' && r.status !== 'rejected');
    for (const size of [1, 2, 3, 4]) {
      const n = inSel.filter((r) => r.party_size === size).length;
      assert.equal(sizes.get(size === 1 ? '1 person' : `${size} people`)?.[0] ?? 0, n, `party of ${size}`);
    }
    await app.close();
  });

  test('overview charts: SVG with a text alternative and a data table, no inline style; German; reviewer sees the tabs they may open', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const { b } = await owner(app, c);
    const event = await c.makeEvent({ capacity: 10, slug: `charts-${c.dialect}` });
    await seedVerifiedApplications(c, event.id, 12, `k${c.dialect[0]}`);
    const res = await b.get(`/admin/events/${event.id}?lang=de`);
    assert.equal(res.statusCode, 200);
    const body = res.body;
    assert.doesNotMatch(body, /\sstyle=/, 'no inline style (CSP)');
    assert.doesNotMatch(body, /<script/);
    const svgs = [...body.matchAll(/<svg [^>]*role="img" aria-labelledby="([^" ]+) ([^"]+)"/g)];
    assert.ok(svgs.length >= 4, `charts: ${svgs.length}`);
    for (const [, title, desc] of svgs) {
      assert.match(body, new RegExp(`<title id="${title}">[^<]+</title>`));
      assert.match(body, new RegExp(`<desc id="${desc}">[^<]+</desc>`));
    }
    assert.match(body, /Von der Bewerbung bis zum Einlass/);
    assert.match(body, /<summary>Zahlen anzeigen<\/summary>/);
    assert.match(body, /<a href="\/admin\/events\/[^"]+" aria-current="page">Übersicht<\/a>/);
    const countries = chartTable(body, 'chart-countries');
    assert.deepEqual([...countries.values()].map((v) => v[0]).reduce((s, n) => s + n, 0), 12);
    assert.ok(countries.has('Vereinigte Staaten (bevorzugt)'), [...countries.keys()].join());

    // The home is linked from the events list; a reviewer's tabs leave out what they cannot open.
    assert.match((await b.get('/admin')).body, new RegExp(`<a href="/admin/events/${event.id}">`));
    const reviewer = (await owner(app, c, 'reviewer')).b;
    const rv = await reviewer.get(`/admin/events/${event.id}`);
    assert.equal(rv.statusCode, 200);
    const tabs = rv.body.match(/<nav class="event-tabs"[\s\S]*?<\/nav>/)![0];
    assert.match(tabs, /Applications/);
    assert.doesNotMatch(tabs, /Settings|Selection/);
    await app.close();
  });

  test('offers expiring within 24 hours and the confirmation rate', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const { b } = await owner(app, c);
    const event = await c.makeEvent({ capacity: 10, slug: `exp-${c.dialect}` });
    const hour = 3_600_000;
    const now = c.clock.now().getTime();
    await insertParty(c, event, { status: 'offered', name: 'Soon Sam', offerExpiresAt: new Date(now + 5 * hour).toISOString() });
    await insertParty(c, event, { status: 'offered', name: 'Later Lea', offerExpiresAt: new Date(now + 30 * hour).toISOString() });
    await insertParty(c, event, { status: 'confirmed', name: 'Conf Carl', guests: ['Dee'] });
    await insertParty(c, event, { status: 'declined', name: 'Gone Gus', seats: null });
    const body = (await b.get(`/admin/events/${event.id}`)).body;
    const expiring = body.match(/<h3>Offers expiring within 24 hours<\/h3>([\s\S]*?)<\/div>/)![1];
    assert.match(expiring, /<p class="big">1<\/p>/);
    assert.match(expiring, /><bdi>Soon Sam<\/bdi><\/a> · 1 seat · /);
    assert.doesNotMatch(expiring, /Later Lea/);
    assert.match(body, /<p class="big">25%<\/p><p>1 of 4 offers confirmed attendance\.<\/p>/);
    assert.match(body, /Declined: 1 · expired: 0 · still open: 2\./);
    assert.match(body, /Of the offers already answered: 50%\./);
    await app.close();
  });

  test('guest lists: the filter form as the browser sends it, sorting, CSV of the list; history in sentences', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const s = await staff(app, c);
    const event = await eventAfterDraw(c, s.id);
    const b = await s.signIn();
    const url = `/admin/events/${event.id}/guests?list=waitlist`;
    const page = await b.get(url);
    assert.equal(page.statusCode, 200);
    const positions = [...page.body.matchAll(/<\/td><td>[^<]*<\/td><td>([\d,]+)<\/td><\/tr>/g)].map((m) => num(m[1]));
    assert.deepEqual(positions, positions.map((_, i) => i + 1), 'waitlist positions 1, 2, 3 … in draw order');

    // Search and sort through the rendered form.
    const first = page.body.match(/<th scope="row"><a href="\/admin\/applications\/[^"]+"><bdi>([^<]+)<\/bdi><\/a>/)![1];
    const form = findForm(page.body, (f) => f.attrs.role === 'search');
    const searched = await b.get(getUrl(url, form, fill(form, { q: first })));
    assert.equal(searched.statusCode, 200);
    assert.equal(rowsOf(searched.body), 1);
    assert.match(searched.body, new RegExp(`>${first}</bdi></a>`));
    assert.deepEqual([...page.body.matchAll(/<option value="(\w+)"/g)].map((m) => m[1]), ['position'], 'the waitlist is shown in draw order only');

    // Another list sorted by name through the same form.
    const offersUrl = `/admin/events/${event.id}/guests?list=confirmed`;
    const offers = await b.get(offersUrl);
    const sortForm = findForm(offers.body, (f) => f.attrs.role === 'search');
    const byName = await b.get(getUrl(offersUrl, sortForm, fill(sortForm, { sort: 'name' })));
    assert.match(byName.body, /<option value="name" selected>/);
    const names = [...byName.body.matchAll(/<th scope="row"><a href="\/admin\/applications\/[^"]+"><bdi>([^<]+)<\/bdi><\/a>/g)].map((m) => m[1]);
    assert.ok(names.length >= 2, names.join());
    assert.deepEqual(names, [...names].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase())));

    // The CSV link on the page downloads exactly that list, readable and quoted.
    const csvHref = page.body.match(/href="([^"]*guests\.csv[^"]*)" download/)![1].replaceAll('&amp;', '&');
    const csv = await b.get(csvHref);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.replace(/^\ufeff/, '').trimEnd().split('\r\n');
    assert.equal(lines[0], '"Application id","Name","Email","Country of residence","Seats","Status","Waitlist position"');
    assert.equal(lines.length - 1, positions.length);
    assert.match(lines[1], /,"On the waitlist","1"$/);

    // The application page tells its history in sentences, with who and when.
    const app0 = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('status', '=', 'confirmed').where('offer_source', '=', 'review').executeTakeFirstOrThrow();
    const detail = await b.get(`/admin/applications/${app0.id}`);
    assert.match(detail.body, /Olga owner approved the application\./);
    assert.match(detail.body, /The applicant confirmed attendance\./);
    assert.doesNotMatch(detail.body, /<code>application\./);
    const de = await b.get(`/admin/applications/${app0.id}?lang=de`);
    assert.match(de.body, /Die bewerbende Person hat die Teilnahme bestätigt\./);
    await app.close();
  });

  test('applications CSV: linked from the Applications tab, in the organizer\'s language, every cell quoted and formula-safe', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const { b } = await owner(app, c);
    const event = await c.makeEvent({ slug: `csv-${c.dialect}` });
    await submitApplication(c.deps, event.slug, {
      name: 'Eve;=HYPERLINK("http://x")',
      email: 'eve@example.com',
      country: 'DE',
      locale: 'de',
      consent: true,
      answers: { why: 'a, @SUM(1)', fan: 'yes' },
      guests: [{ name: '+Mallory', relation: 'family' }],
    });
    const list = await b.get(`/admin/events/${event.id}/applications?lang=de`);
    const href = list.body.match(/<a class="button" href="([^"]+\.csv)" download>Als CSV herunterladen/)![1];
    const res = await b.get(href);
    assert.equal(res.statusCode, 200);
    const [header, row] = res.body.replace(/^\ufeff/, '').trimEnd().split('\r\n');
    assert.match(header, /^"Bewerbungs-ID","Beworben","Status","E-Mail bestätigt","Name","E-Mail","Wohnsitzland","Sprache","Gruppengröße","Gast 1: Name","Gast 1: Beziehung"/);
    assert.match(header, /"Warum möchten Sie dabei sein\?","Nutzen Sie bereits eines unserer Produkte\?","Prüfhinweise"$/);
    assert.match(row, /"Eve;'=HYPERLINK\(""http:\/\/x""\)"/);
    assert.match(row, /"'\+Mallory","Familie"/);
    assert.match(row, /"a, '@SUM\(1\)","Ja"/);
    assert.match(row, /"Deutschland","Deutsch","2"/);
    assert.match(row, /"E-Mail nicht bestätigt","Nein"/);
    assert.match(row, /"\d\d\.\d\d\.2026, \d\d:\d\d"/, 'date in the organizer\'s format');
    for (const cell of row.split(/","/)) assert.doesNotMatch(cell.replace(/^"/, ''), /^[=+\-@]/);
    await app.close();
  });
});
