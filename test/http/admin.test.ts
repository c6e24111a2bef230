import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom, fieldValue } from '../helpers/http.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { findEventById } from '../../src/db/repositories/events.ts';
import { hashToken } from '../../src/platform/random.ts';
import type { Event } from '../../src/domain/event.ts';
import { parseOptions } from '../../src/http/event-form-input.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';

const PASSWORD = 'correct horse battery';

/** One staff account per role and dialect (scrypt is slow on purpose; create each once). */
const staff = new WeakMap<TestContext, Promise<void>>();
function ensureStaff(c: TestContext) {
  if (!staff.has(c)) {
    staff.set(c, (async () => {
      for (const role of ['owner', 'admin', 'reviewer', 'door'] as Role[]) await createUser(c.deps, 'test', { email: `${role}@admit.test`, role, password: PASSWORD });
    })());
  }
  return staff.get(c)!;
}

async function signIn(app: FastifyInstance, c: TestContext, role: Role, headers: Record<string, string> = {}): Promise<Browser> {
  await ensureStaff(c);
  await onEveryEventTeam(c.deps, `${role}@admit.test`);
  const b = new Browser(app, headers);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email: `${role}@admit.test`, password: PASSWORD, next: '/admin' });
  assert.equal(res.statusCode, 303, `login as ${role}`);
  return b;
}

/** A complete, valid editor form (what a browser would send); tests override single fields. */
function eventForm(csrf: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    question_slots: '2',
    slug: 'summer-party',
    defaultLocale: 'en',
    timezone: 'America/New_York',
    content_en_title: 'Summer Party',
    content_en_description: 'A party.\n\nBring friends.',
    content_en_consent: 'We use your data for this event only.',
    content_de_title: 'Sommerfest',
    content_de_description: 'Ein Fest.',
    content_de_consent: 'Wir nutzen Ihre Daten nur hierfür.',
    startsTba: 'yes',
    venueTba: 'yes',
    applicationsOpenAt: '2026-11-01T09:00',
    applicationsCloseAt: '2026-11-30T18:00',
    capacity: '120',
    maxPartySize: '3',
    othersMayApply: 'yes',
    questions_0_label_en: 'Which menu?',
    questions_0_label_de: 'Welches Menü?',
    questions_0_type: 'single_choice',
    questions_0_required: 'yes',
    questions_0_options: 'meat | Meat | Fleisch\nVegetarian | Vegetarisch',
    ...over,
  };
}

/** Posts a form whose multi-select sends one key several times. */
function postMulti(app: FastifyInstance, b: Browser, url: string, form: Record<string, string>, multi: Record<string, string[]>) {
  const body = new URLSearchParams(form);
  for (const [k, vs] of Object.entries(multi)) for (const v of vs) body.append(k, v);
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

let seq = 0;
/** Applications written straight to the table: the list and counts read rows, not the intake path. */
async function insertApplications(c: TestContext, event: Event, rows: { country: string; party: number; verified: boolean; status?: string; name?: string }[]) {
  const at = '2026-11-02T10:00:00.000Z';
  await c.db.db
    .insertInto('applications')
    .values(
      rows.map((r) => {
        const n = ++seq;
        const id = `01TEST${String(n).padStart(20, '0')}`;
        const name = r.name ?? `Applicant ${n}`;
        return {
          id,
          event_id: event.id,
          status: r.status ?? 'submitted',
          name,
          email: `a${n}@example.com`,
          email_normalized: `a${n}@example.com`,
          country: r.country,
          locale: 'en',
          party_size: r.party,
          guests: JSON.stringify(Array.from({ length: r.party - 1 }, (_, i) => ({ name: `Guest ${i + 1}`, relation: 'friend' }))),
          answers: JSON.stringify({ why: 'Because', fan: 'yes' }),
          consent_at: at,
          token_hash: hashToken(`token-${n}`),
          verified: r.verified ? 1 : 0,
          created_at: at,
          updated_at: at,
          verified_at: r.verified ? at : null,
          withdrawn_at: null,
        };
      }),
    )
    .execute();
}

forEachDialect('http admin', (ctx) => {
  test('sign-in required; roles: reviewer cannot edit events, door cannot see applications, only the owner manages staff', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const anon = await app.inject({ url: '/admin/events/new' });
    assert.equal(anon.statusCode, 303);
    assert.equal(anon.headers.location, `/login?next=${encodeURIComponent('/admin/events/new')}`);
    assert.equal((await app.inject({ url: `/admin/events/${event.id}/edit` })).statusCode, 303);

    const reviewer = await signIn(app, c, 'reviewer');
    assert.equal((await reviewer.get('/admin/events/new')).statusCode, 403);
    assert.equal((await reviewer.get(`/admin/events/${event.id}/edit`)).statusCode, 403);
    const dash = await reviewer.get('/admin');
    assert.equal(dash.statusCode, 200);
    assert.ok(!dash.body.includes('/admin/events/new'), 'no "New event" for reviewers');
    const denied = await reviewer.post(`/admin/events/${event.id}/edit`, eventForm(csrfFrom(dash.body)));
    assert.equal(denied.statusCode, 403);
    assert.equal((await reviewer.get(`/admin/events/${event.id}/applications`)).statusCode, 200);
    assert.equal((await reviewer.get('/admin/users')).statusCode, 403);

    const door = await signIn(app, c, 'door');
    assert.equal((await door.get(`/admin/events/${event.id}/applications`)).statusCode, 403);
    const admin = await signIn(app, c, 'admin');
    assert.equal((await admin.get('/admin/users')).statusCode, 403);
    assert.equal((await admin.get('/admin/events/new')).statusCode, 200);
    await app.close();
  });

  test('create an event through the form (TBA, single choice, preferred countries), edit it with a New York time, change status', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const owner = await signIn(app, c, 'owner');
    const dash = await owner.get('/admin');
    assert.match(dash.body, /href="\/admin\/events\/new"/);
    const blank = await owner.get('/admin/events/new');
    assert.equal(blank.statusCode, 200);
    assert.match(blank.body, /<option value="America\/New_York">America\/New York<\/option>/);
    const form = eventForm(csrfFrom(blank.body), { othersMayApply: '' });
    const created = await postMulti(app, owner, '/admin/events/new', form, { preferredCountries: ['US', 'CA'] });
    assert.equal(created.statusCode, 303, created.body.slice(0, 2000));
    const id = /^\/admin\/events\/([^/]+)\/edit\?saved=1$/.exec(created.headers.location as string)?.[1];
    assert.ok(id);
    const e = (await findEventById(c.db.db, id))!;
    assert.equal(e.status, 'draft');
    assert.equal(e.startsAt, null);
    assert.equal(e.venueName, null);
    assert.deepEqual(e.preferredCountries, ['US', 'CA']);
    assert.equal(e.othersMayApply, false);
    assert.equal(e.applicationsOpenAt, '2026-11-01T14:00:00.000Z', 'EST (UTC-5) from 02:00 that day');
    assert.equal(e.applicationsCloseAt, '2026-11-30T23:00:00.000Z');
    assert.deepEqual(e.questions, [
      {
        id: 'which_menu',
        type: 'single_choice',
        required: true,
        label: { en: 'Which menu?', de: 'Welches Menü?' },
        options: [
          { id: 'meat', label: { en: 'Meat', de: 'Fleisch' } },
          { id: 'vegetarian', label: { en: 'Vegetarian', de: 'Vegetarisch' } },
        ],
      },
    ]);
    assert.equal(e.content.de?.title, 'Sommerfest');

    // The edit page shows what was saved, times back in the event's zone, plus two empty question slots.
    const edit = await owner.get(created.headers.location as string);
    assert.equal(edit.statusCode, 200);
    assert.match(edit.body, /role="status"/);
    assert.equal(fieldValue(edit.body, 'applicationsOpenAt'), '2026-11-01T09:00');
    assert.equal(fieldValue(edit.body, 'questions_0_options'), 'meat | Meat | Fleisch\nvegetarian | Vegetarian | Vegetarisch');
    assert.equal(fieldValue(edit.body, 'question_slots'), '3');
    assert.match(edit.body, /name="preferredCountries" value="US" checked>/);
    assert.match(edit.body, /name="startsTba" value="yes" checked/);

    const saved = await postMulti(
      app,
      owner,
      `/admin/events/${id}/edit`,
      eventForm(csrfFrom(edit.body), {
        question_slots: '3',
        questions_0_id: 'which_menu',
        questions_0_options: fieldValue(edit.body, 'questions_0_options')!,
        questions_1_label_en: 'Coming by car?',
        questions_1_type: 'yes_no',
        startsTba: '',
        startsAt: '2026-12-12T19:00',
        endsAt: '2026-12-12T23:30',
        venueTba: '',
        venueName: 'Pier 17',
        venueAddress: '89 South Street\nNew York, NY',
      }),
      { preferredCountries: ['US'] },
    );
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    const e2 = (await findEventById(c.db.db, id))!;
    assert.equal(e2.startsAt, '2026-12-13T00:00:00.000Z', '19:00 in New York in December is midnight UTC');
    assert.equal(e2.endsAt, '2026-12-13T04:30:00.000Z');
    assert.equal(e2.venueName, 'Pier 17');
    assert.equal(e2.venueAddress, '89 South Street\nNew York, NY');
    assert.deepEqual(e2.questions.map((q) => [q.id, q.type, q.required]), [['which_menu', 'single_choice', true], ['coming_by_car', 'yes_no', false]]);
    const again = await owner.get(`/admin/events/${id}/edit`);
    assert.equal(fieldValue(again.body, 'startsAt'), '2026-12-12T19:00', 'shown in the event zone again');
    assert.ok(!/name="startsTba" value="yes" checked/.test(again.body));

    const audit = await c.db.db.selectFrom('audit_log').select(['action', 'actor']).where('subject_id', '=', id).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['event.created', 'event.updated']);
    assert.ok(audit.every((a) => a.actor !== 'test' && a.actor.length > 0));

    // Status: draft → open from the editor, back to the editor.
    const opened = await owner.post(`/admin/events/${id}/status`, { _csrf: csrfFrom(again.body), status: 'open', back: 'edit' });
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/admin/events/${id}/edit`);
    assert.equal((await findEventById(c.db.db, id))!.status, 'open');
    const afterOpen = await owner.get(`/admin/events/${id}/edit`);
    assert.match(afterOpen.body, /name="status" value="closed"/);
    // Saving the form keeps the status (the form has no status field).
    const resaved = await postMulti(app, owner, `/admin/events/${id}/edit`, eventForm(csrfFrom(afterOpen.body), { questions_0_id: 'which_menu', questions_0_options: 'meat | Meat | Fleisch\nvegetarian | Vegetarian | Vegetarisch' }), { preferredCountries: ['US'] });
    assert.equal(resaved.statusCode, 303);
    assert.equal((await findEventById(c.db.db, id))!.status, 'open');
    await app.close();
  });

  test('bad input: 422, German messages per field, every value kept and escaped', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const owner = await signIn(app, c, 'owner');
    const page = await owner.get('/admin/events/new?lang=de');
    assert.match(page.body, /Neue Veranstaltung/);
    const bad = await owner.post(
      '/admin/events/new',
      eventForm(csrfFrom(page.body), {
        slug: 'Not A Slug',
        content_en_title: '',
        content_de_description: 'Beschreibung <b>fett</b>',
        startsTba: '',
        startsAt: '',
        venueTba: '',
        venueName: '',
        applicationsOpenAt: '2026-11-30T09:00',
        applicationsCloseAt: '2026-11-01T09:00',
        capacity: '0',
        othersMayApply: '',
        questions_0_options: 'only | Nur eine',
        question_slots: '3',
        questions_1_type: 'short_text',
        questions_1_id: 'no_label',
        questions_2_type: 'short_text',
        questions_2_label_de: 'Nur deutsch',
      }),
    );
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Es gibt ein Problem/);
    const errorFor = (name: string) => new RegExp(`<p class="field-error" id="e-${name}">[^]*?</span>([^<]+)</p>`).exec(bad.body)?.[1];
    assert.match(errorFor('slug') ?? '', /Kleinbuchstaben/);
    assert.match(errorFor('content_en_title') ?? '', /erforderlich/);
    assert.match(errorFor('startsAt') ?? '', /bekannt gegeben/);
    assert.match(errorFor('venueName') ?? '', /Ort/);
    assert.match(errorFor('applicationsCloseAt') ?? '', /nach ihrem Beginn enden/);
    assert.match(errorFor('capacity') ?? '', /1 bis 10000000|1 bis 10\.000\.000/);
    assert.match(errorFor('preferredCountries') ?? '', /erforderlich/);
    assert.match(errorFor('questions_0_options') ?? '', /mindestens zwei/);
    assert.match(errorFor('questions_1_label_en') ?? '', /erforderlich/, 'a question without any label');
    assert.equal(fieldValue(bad.body, 'slug'), 'Not A Slug');
    assert.equal(fieldValue(bad.body, 'content_de_description'), 'Beschreibung &lt;b&gt;fett&lt;/b&gt;', 'kept, escaped');
    assert.ok(!bad.body.includes('<b>fett</b>'));
    assert.equal(fieldValue(bad.body, 'applicationsOpenAt'), '2026-11-30T09:00');
    assert.equal(fieldValue(bad.body, 'questions_2_label_de'), 'Nur deutsch');
    assert.match(bad.body, /<option value="single_choice" selected>/);
    assert.match(bad.body, /<option value="America\/New_York" selected>/);
    assert.equal(await c.db.db.selectFrom('events').select('id').where('slug', '=', 'Not A Slug').executeTakeFirst(), undefined);

    // A taken slug is a field error too, not a crash.
    await c.makeEvent({ slug: 'taken' });
    const dup = await postMulti(app, owner, '/admin/events/new', eventForm(csrfFrom(bad.body), { slug: 'taken' }), { preferredCountries: ['DE'] });
    assert.equal(dup.statusCode, 422);
    assert.match(dup.body, /bereits von einer anderen Veranstaltung/);
    await app.close();
  });

  test('applications list: counts per status and country, filters, search, keyset pagination', async () => {
    const c = ctx();
    const event = await c.makeEvent({ maxPartySize: 4 });
    const rows = [
      ...Array.from({ length: 45 }, (_, i) => ({ country: 'US', party: 1 + (i % 2), verified: true })),
      ...Array.from({ length: 8 }, () => ({ country: 'DE', party: 3, verified: false })),
      { country: 'FR', party: 2, verified: true, status: 'withdrawn', name: 'Zoë Withdrawn' },
    ];
    await insertApplications(c, event, rows);
    const app = await buildTestApp(c);
    const reviewer = await signIn(app, c, 'reviewer');
    const url = `/admin/events/${event.id}/applications`;
    const all = await reviewer.get(`${url}?lang=de`);
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /54 Bewerbungen für 93 Personen, 300 Plätze\./);
    assert.match(all.body, /href="\?status=submitted&amp;verified=yes">Eingegangen<\/a> <strong>45<\/strong>/);
    assert.match(all.body, /href="\?status=submitted&amp;verified=no">E-Mail nicht bestätigt<\/a> <strong>8<\/strong>/);
    assert.match(all.body, /href="\?status=withdrawn">Zurückgezogen<\/a> <strong>1<\/strong>/);
    assert.match(all.body, /href="\?country=US">Vereinigte Staaten<\/a> <span class="badge">bevorzugt<\/span> <strong>45<\/strong>/);
    assert.match(all.body, /href="\?country=DE">Deutschland<\/a> <strong>8<\/strong>/);

    const count = (body: string) => (body.match(/<th scope="row">/g) ?? []).length;
    assert.equal(count(all.body), 50, 'first page');
    const next = /<a href="(\?after=[^"]+)" rel="next">/.exec(all.body)?.[1];
    assert.ok(next);
    const page2 = await reviewer.get(url + next.replaceAll('&amp;', '&'));
    assert.equal(count(page2.body), 4);
    assert.ok(!page2.body.includes('rel="next"'));
    assert.match(page2.body, /Erste Seite/);

    assert.equal(count((await reviewer.get(`${url}?country=DE`)).body), 8);
    assert.equal(count((await reviewer.get(`${url}?verified=no`)).body), 8);
    assert.equal(count((await reviewer.get(`${url}?status=withdrawn`)).body), 1);
    assert.equal(count((await reviewer.get(`${url}?party=2&country=US`)).body), 22);
    const search = await reviewer.get(`${url}?q=zo%C3%AB`);
    assert.equal(count(search.body), 1);
    assert.match(search.body, /Zoë Withdrawn/);
    // Filters survive paging.
    const submitted = await reviewer.get(`${url}?status=submitted`);
    const subNext = /<a href="(\?[^"]+)" rel="next">/.exec(submitted.body)?.[1]?.replaceAll('&amp;', '&');
    assert.match(subNext ?? '', /^\?status=submitted&after=/);
    assert.equal(count((await reviewer.get(url + subNext)).body), 3);
    await app.close();
  });

  test('application detail: guests and answers with localized labels', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await insertApplications(c, event, [{ country: 'US', party: 2, verified: true, name: 'Grace Hopper' }]);
    const a = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).executeTakeFirstOrThrow();
    const app = await buildTestApp(c);
    const reviewer = await signIn(app, c, 'reviewer', { 'accept-language': 'de' });
    const res = await reviewer.get(`/admin/applications/${a.id}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1><bdi>Grace Hopper<\/bdi><\/h1>/, 'names isolated from the text around them (bidi)');
    assert.match(res.body, /Guest 1<\/bdi> <span class="muted">\(Freund\/in\)<\/span>|Guest 1<\/bdi> <span class="muted">\([^)]+\)<\/span>/);
    assert.match(res.body, /Warum möchten Sie dabei sein\?<\/dt><dd><p>Because<\/p><\/dd>/);
    assert.match(res.body, /Nutzen Sie bereits eines unserer Produkte\?<\/dt><dd>Ja<\/dd>/);
    assert.match(res.body, /Vereinigte Staaten <span class="badge">bevorzugt<\/span>/);
    await app.close();
  });

  test('staff: the owner invites (user + setup link + mail in one go), the link works once; disabling ends sessions', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const owner = await signIn(app, c, 'owner');
    const list = await owner.get('/admin/users');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /reviewer@admit\.test/);
    const bad = await owner.post('/admin/users', { _csrf: csrfFrom(list.body), email: 'nope', role: 'king', locale: 'de' });
    assert.equal(bad.statusCode, 422);
    assert.equal(fieldValue(bad.body, 'email'), 'nope');
    const taken = await owner.post('/admin/users', { _csrf: csrfFrom(bad.body), email: 'Door@admit.test', role: 'door', locale: 'en' });
    assert.equal(taken.statusCode, 422);

    const res = await owner.post('/admin/users', { _csrf: csrfFrom(taken.body), email: 'New.Person@Example.com', role: 'reviewer', locale: 'de' });
    assert.equal(res.statusCode, 200);
    const link = /<code class="setup-link">([^<]+)<\/code>/.exec(res.body)?.[1];
    assert.match(link ?? '', /^http:\/\/admit\.test\/setup\/[A-Za-z0-9_-]{20,}$/);
    const user = await c.db.db.selectFrom('users').selectAll().where('email', '=', 'new.person@example.com').executeTakeFirstOrThrow();
    assert.equal(user.role, 'reviewer');
    assert.equal(user.password_hash, null);
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'new.person@example.com').executeTakeFirstOrThrow());
    assert.match(mail.subject, /Passwort/);
    assert.ok(mail.text_body.includes(link!), 'the mail carries the same link');
    const path = new URL(link!).pathname;
    assert.equal((await app.inject({ url: path })).statusCode, 200);

    const reviewer = await signIn(app, c, 'reviewer');
    const reviewerId = (await c.db.db.selectFrom('users').select('id').where('email', '=', 'reviewer@admit.test').executeTakeFirstOrThrow()).id;
    const page = await owner.get('/admin/users');
    assert.ok(!page.body.includes(`/admin/users/${(await c.db.db.selectFrom('users').select('id').where('email', '=', 'owner@admit.test').executeTakeFirstOrThrow()).id}/disable`), 'no button to disable yourself');
    const off = await owner.post(`/admin/users/${reviewerId}/disable`, { _csrf: csrfFrom(page.body) });
    assert.equal(off.statusCode, 303);
    assert.equal((await reviewer.get('/admin')).statusCode, 303, 'signed out at once');
    const on = await owner.post(`/admin/users/${reviewerId}/enable`, { _csrf: csrfFrom(page.body) });
    assert.equal(on.statusCode, 303);
    const actions = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', 'in', [user.id, reviewerId]).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action).filter((a) => a !== 'user.created'), ['user.invited', 'user.disabled', 'user.enabled']);
    await app.close();
  });
});

test('options textarea: explicit ids kept, missing ids derived from the English text, never clashing', () => {
  // Labels follow the event's languages (here English and German), whatever else the instance speaks.
  assert.deepEqual(parseOptions('veg | Vegetarian | Vegetarisch\n\n  Größe XL | Größe XL  \nveg', ['en', 'de']), [
    { id: 'veg', label: { en: 'Vegetarian', de: 'Vegetarisch' } },
    { id: 'grosse_xl', label: { en: 'Größe XL', de: 'Größe XL' } },
    { id: 'veg_2', label: { en: 'veg' } },
  ]);
});
