import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { parseForms, findForm, type ParsedForm, submitForm } from '../helpers/form-controls.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { findEventById } from '../../src/db/repositories/events.ts';
import { createUser } from '../../src/services/users.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const PASSWORD = 'correct horse battery';

async function signInOwner(app: FastifyInstance, c: TestContext): Promise<Browser> {
  const email = `owner-editor-${c.dialect}@admit.test`;
  if (!(await c.db.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())) {
    await createUser(c.deps, 'test', { email, role: 'owner', password: PASSWORD });
  }
  const b = new Browser(app);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email, password: PASSWORD, next: '/admin' });
  assert.equal(res.statusCode, 303);
  return b;
}

const NEW = '/admin/events/new';
const editorForm = (html: string, action = NEW): ParsedForm => findForm(html, action, 'question_slots');
const legends = (html: string) => [...html.matchAll(/<fieldset class="question" id="q-(\d+)"/g)].map((m) => Number(m[1]));

forEachDialect('event editor', (ctx) => {
  test('create an event with five questions of different types through the rendered form: filter countries, add, move, remove; the slug comes from the title', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const owner = await signInOwner(app, c);
    let page = await owner.get(NEW);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<script type="module" src="\/assets\/event-editor\.[0-9a-f]{12}\.js"><\/script>/);
    assert.ok(!/<select[^>]*name="preferredCountries"/.test(page.body), 'no 250-line multi-select');
    assert.deepEqual(legends(page.body), [0, 1], 'two empty question slots to start');

    const basics = {
      slug: '',
      timezone: 'Europe/Berlin',
      content_en_title: 'Harbour Lights 2026!',
      content_en_description: 'Lights over the harbour.',
      content_en_consent: 'We use your data for this event only.',
      content_de_title: 'Hafenlichter 2026',
      applicationsOpenAt: '2026-11-01T09:00',
      applicationsCloseAt: '2026-11-30T18:00',
      capacity: '300',
      maxPartySize: '2',
      othersMayApply: true,
      confirmMode: 'date',
      confirmUntil: '2026-12-05T18:00',
      inviteConfirmHours: '240',
      mailSenderName: 'Harbour Lights',
      mailReplyTo: 'team@harbour.test',
      questions_0_label_en: 'Your name on the guest list',
      questions_0_label_de: 'Ihr Name auf der Gästeliste',
      questions_0_type: 'short_text',
      questions_0_required: true,
      questions_1_label_en: 'Which evenings?',
      questions_1_label_de: 'Welche Abende?',
      questions_1_type: 'multiple_choice',
      questions_1_options: 'fri | Friday | Freitag\nsat | Saturday | Samstag\nsun | Sunday | Sonntag',
      questions_1_required: true,
    };

    // The country filter without JavaScript: a post that re-renders with the typed values kept.
    page = await submitForm(app, owner, editorForm(page.body), { ...basics, country_filter: 'ger' }, 'editor_action=filter');
    assert.equal(page.statusCode, 200);
    const listed = [...page.body.matchAll(/name="preferredCountries" value="([A-Z]{2})"/g)].map((m) => m[1]).sort();
    assert.deepEqual(listed, ['DE', 'DZ', 'NE', 'NG'], 'Germany, Algeria, Niger, Nigeria');
    assert.match(page.body, /id="f-country_filter"[^>]*autofocus/, 'focus stays in the filter');
    assert.equal(findForm(page.body, NEW, 'question_slots').controls.find((x) => x.name === 'questions_1_options')?.value, basics.questions_1_options);

    // Tick Germany, then add three questions, one click at a time.
    page = await submitForm(app, owner, editorForm(page.body), { preferredCountries: ['DE'] }, 'editor_action=add');
    assert.deepEqual(legends(page.body), [0, 1, 2]);
    assert.match(page.body, /name="preferredCountries" value="DE" checked>/, 'the chosen country is kept (and shown first)');
    assert.match(page.body, /id="f-questions_2_label_en"[^>]*autofocus/, 'focus on the new question');
    page = await submitForm(
      app,
      owner,
      editorForm(page.body),
      { questions_2_label_en: 'When did you arrive?', questions_2_label_de: 'Wann sind Sie angekommen?', questions_2_type: 'date' },
      'editor_action=add',
    );
    page = await submitForm(
      app,
      owner,
      editorForm(page.body),
      { questions_3_label_en: 'How many lanterns?', questions_3_label_de: 'Wie viele Laternen?', questions_3_type: 'number', questions_3_id: 'lanterns' },
      'editor_action=add',
    );
    page = await submitForm(
      app,
      owner,
      editorForm(page.body),
      { questions_4_label_en: 'Coming by boat?', questions_4_label_de: 'Kommen Sie mit dem Boot?', questions_4_type: 'yes_no' },
      'editor_action=add',
    );
    // A sixth, to be removed again; and the date question moved up above the multiple choice.
    page = await submitForm(app, owner, editorForm(page.body), { questions_5_label_en: 'Oops', questions_5_type: 'long_text' }, 'editor_action=remove:5');
    assert.deepEqual(legends(page.body), [0, 1, 2, 3, 4]);
    assert.ok(!page.body.includes('Oops'));
    page = await submitForm(app, owner, editorForm(page.body), {}, 'editor_action=up:2');
    assert.match(page.body, /<fieldset class="question" id="q-1" tabindex="-1" autofocus>/, 'focus follows the moved question');
    assert.equal(findForm(page.body, NEW, 'question_slots').controls.find((x) => x.name === 'questions_1_type')?.value, 'date');

    // Save: the button a browser clicks on Enter (the form's first submit button) saves.
    const saved = await submitForm(app, owner, editorForm(page.body));
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    const id = (saved.headers.location as string).match(/\/admin\/events\/([^/]+)\/edit/)![1];
    const e = (await findEventById(c.db.db, id))!;
    assert.equal(e.slug, 'harbour-lights-2026', 'made from the title');
    assert.deepEqual(
      e.questions.map((q) => [q.id, q.type, q.required]),
      [
        ['your_name_on_the_guest_list', 'short_text', true],
        ['when_did_you_arrive', 'date', false],
        ['which_evenings', 'multiple_choice', true],
        ['lanterns', 'number', false],
        ['coming_by_boat', 'yes_no', false],
      ],
    );
    assert.deepEqual(e.questions[2].options!.map((o) => o.id), ['fri', 'sat', 'sun']);
    assert.deepEqual(e.preferredCountries, ['DE']);
    assert.equal(e.confirmUntil, '2026-12-05T17:00:00.000Z', '18:00 in Berlin');
    assert.equal(e.inviteConfirmHours, 240);
    assert.equal(e.mailSenderName, 'Harbour Lights');
    assert.equal(e.mailReplyTo, 'team@harbour.test');
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['event.created']);

    // The edit page holds what was saved: posting it unchanged changes nothing.
    const edit = await owner.get(saved.headers.location as string);
    const again = await submitForm(app, owner, editorForm(edit.body, `/admin/events/${id}/edit`));
    assert.equal(again.statusCode, 303);
    const e2 = (await findEventById(c.db.db, id))!;
    assert.deepEqual({ ...e2, confirmHours: e2.confirmHours }, e);

    // A second event with the same title gets the next free address.
    const second = await submitForm(app, owner, editorForm((await owner.get(NEW)).body), { content_en_title: 'Harbour Lights 2026!' });
    assert.equal(second.statusCode, 303);
    const id2 = (second.headers.location as string).match(/\/admin\/events\/([^/]+)\/edit/)![1];
    assert.equal((await findEventById(c.db.db, id2))!.slug, 'harbour-lights-2026-2');

    // A bad reply-to address and a fixed deadline without a date: errors on the fields, everything kept.
    const bad = await submitForm(app, owner, editorForm((await owner.get(NEW)).body), { content_en_title: 'X', mailReplyTo: 'not-an-address', confirmMode: 'date' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /href="#f-mailReplyTo">Reply-to address:/);
    assert.match(bad.body, /href="#f-confirmUntil">Confirm by:/);
    await app.close();
  });

  test('staff preview a draft with the new question types; the form checks answers and stores nothing; applicants answer them on the public page', async () => {
    const c = ctx();
    const event = await c.makeEvent({
      slug: 'preview-me',
      status: 'draft',
      questions: [
        { id: 'nights', type: 'multiple_choice', required: true, label: { en: 'Which nights?', de: 'Welche Nächte?' }, options: [
          { id: 'fri', label: { en: 'Friday', de: 'Freitag' } },
          { id: 'sat', label: { en: 'Saturday', de: 'Samstag' } },
        ] },
        { id: 'lanterns', type: 'number', required: true, label: { en: 'How many lanterns?' } },
        { id: 'arrival', type: 'date', required: false, label: { en: 'Arrival' } },
      ],
    });
    const app = await buildTestApp(c);
    assert.equal((await app.inject({ url: `/e/${event.slug}` })).statusCode, 404, 'a draft is not public');
    const anon = await app.inject({ url: `/admin/events/${event.id}/preview` });
    assert.equal(anon.statusCode, 303, 'the preview needs a sign-in');
    const owner = await signInOwner(app, c);
    const preview = await owner.get(`/admin/events/${event.id}/preview`);
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.headers['x-robots-tag'], 'noindex');
    assert.match(preview.body, /Preview — only staff can see this page/);
    assert.match(preview.body, /<input type="checkbox" id="f-answer_nights-1" name="answer_nights" value="sat">/);
    assert.match(preview.body, /name="answer_arrival" type="date"/);
    const action = `/admin/events/${event.id}/preview`;
    const person = { name: 'Ada', email: 'ada@example.com', country: 'DE', consent: true };
    const wrong = await submitForm(app, owner, findForm(preview.body, action), { ...person, answer_lanterns: 'many', answer_arrival: '2026-02-30' });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /Please enter a number/);
    assert.match(wrong.body, /Please enter a valid date/);
    assert.match(wrong.body, /This field is required/, 'no night chosen');
    const right = await submitForm(app, owner, findForm(wrong.body, action), { ...person, answer_nights: ['fri', 'sat'], answer_lanterns: '2,5', answer_arrival: '2026-12-04' });
    assert.equal(right.statusCode, 200);
    assert.match(right.body, /These answers would be accepted/);
    assert.match(right.body, /value="sat" checked>/);
    const stored = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).execute();
    assert.equal(stored.length, 0, 'the preview stores nothing');

    // Opened, the public form takes the same answers.
    await c.db.db.updateTable('events').set({ status: 'open' }).where('id', '=', event.id).execute();
    const guest = new Browser(app);
    const pub = await guest.get(`/e/${event.slug}`);
    const applied = await submitForm(app, guest, findForm(pub.body, `/e/${event.slug}/apply`), { ...person, answer_nights: ['sat', 'fri'], answer_lanterns: '3' });
    assert.equal(applied.statusCode, 303, applied.body.slice(0, 500));
    const row = await c.db.db.selectFrom('applications').select('answers').where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.answers), { nights: 'fri,sat', lanterns: '3' });
    // The applicant's status page reads the answers in words.
    const verify = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', person.email).where('event_id', '=', event.id).executeTakeFirstOrThrow());
    const link = verify.text_body.match(/http:\/\/admit\.test(\/a\/[A-Za-z0-9_-]+)/)![1];
    // Opening the link asks for one press of the button (a GET never verifies); then the status page.
    const confirmPage = await guest.get(`${link}?lang=de`);
    const verifyForm = parseForms(confirmPage.body).find((f) => f.action.startsWith(`${link}/verify`));
    assert.ok(verifyForm, 'the page offers the confirm button');
    const verified = await submitForm(app, guest, verifyForm);
    assert.equal(verified.statusCode, 303);
    const status = await guest.get(String(verified.headers.location));
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /Freitag und Samstag/);
    await app.close();
  });

  test('open offers: the organizer extends one through its form; the party is mailed the new deadline; mails carry the event sender name', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'offers-page', timezone: 'Europe/Berlin', mailSenderName: 'Hafen Team', mailReplyTo: 'team@hafen.test' });
    const p = await insertParty(c, event, { status: 'offered', name: 'Grace Hopper', locale: 'de' });
    const app = await buildTestApp(c);
    const owner = await signInOwner(app, c);
    const page = await owner.get(`/admin/events/${event.id}/offers`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Grace Hopper/);
    const action = `/admin/events/${event.id}/offers/${p.id}/extend`;
    const earlier = await submitForm(app, owner, findForm(page.body, action), { expiresAt: '2026-11-02T10:00' });
    assert.equal(earlier.statusCode, 422);
    assert.match(earlier.body, /Please choose a later time than the current deadline/);
    const ok = await submitForm(app, owner, findForm(earlier.body, action), { expiresAt: '2026-11-10T20:00' });
    assert.equal(ok.statusCode, 303);
    const after = await owner.get(ok.headers.location as string);
    assert.match(after.body, /The deadline was extended/);
    const row = await c.db.db.selectFrom('applications').select('offer_expires_at').where('id', '=', p.id).executeTakeFirstOrThrow();
    assert.equal(row.offer_expires_at, '2026-11-10T19:00:00.000Z', '20:00 in Berlin');
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'offer.extended').where('to_address', '=', p.email).executeTakeFirstOrThrow());
    assert.match(mail.text_body, /bis Dienstag, 10\. November 2026 um 20:00/);

    // An invite with its own deadline, through the selection page's invite form (typed in the event's zone).
    const selection = await owner.get(`/admin/events/${event.id}/selection`);
    const invited = await submitForm(app, owner, findForm(selection.body, `/admin/events/${event.id}/selection/invite`), {
      name: 'Katherine Johnson',
      email: 'kj@example.com',
      category: 'press',
      confirm_by: '2026-11-20T12:00',
    });
    assert.equal(invited.statusCode, 303, invited.body.slice(0, 500));
    const inv = await c.db.db.selectFrom('applications').select(['offer_expires_at', 'offer_source']).where('email', '=', 'kj@example.com').executeTakeFirstOrThrow();
    assert.deepEqual(inv, { offer_expires_at: '2026-11-20T11:00:00.000Z', offer_source: 'invite' });

    // The sender: the event's name with the instance's address, and its Reply-To.
    const { OutboxSender, fileTransport } = await import('../../src/mail/sender.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(c.db.dataDir, 'mail-editor');
    const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: fileTransport(dir, 'Admit <no-reply@admit.test>'), instanceId: 'editor-test' });
    await sender.drain();
    const row2 = await c.db.db.selectFrom('outbox').select(['id', 'status']).where('kind', '=', 'offer.extended').where('to_address', '=', p.email).executeTakeFirstOrThrow();
    assert.equal(row2.status, 'sent');
    const eml = readFileSync(join(dir, `${row2.id}.eml`), 'utf8');
    assert.match(eml, /^From: Hafen Team <no-reply@admit\.test>$/m);
    assert.match(eml, /^Reply-To: team@hafen\.test$/m);
    await app.close();
  });
});
