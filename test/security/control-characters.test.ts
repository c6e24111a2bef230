import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, fieldValue } from '../helpers/http.ts';
import { pageForm } from '../helpers/page-form.ts';
import { validateInvite } from '../../src/services/invites.ts';

// Finding 6: a NUL byte in a name was a 500 on PostgreSQL (and made the intake batch fall back to one-by-one
// writes). Control characters are a localized 422 field error on both databases, in the form and the JSON API.
const apiBody = (over: object = {}) => ({
  name: 'Grace Hopper',
  email: 'grace@example.com',
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Compilers' },
  guests: [{ name: 'Ada', relation: 'friend' }],
  ...over,
});

forEachDialect('control characters in applications (finding 6)', (ctx) => {
  test('web form: a NUL in the name is a German field error, the page is posted as the browser would', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    try {
      const b = new Browser(app);
      const page = await b.get(`/e/${event.slug}?lang=de`);
      const form = pageForm(page.body, `/e/${event.slug}/apply`);
      const fields = { ...form.fields, name: 'Erika\u0000 Mustermann', email: 'erika@example.de', country: 'DE', answer_why: 'Weil', consent: 'yes' };
      assert.ok('_csrf' in form.fields && 'name' in form.fields && 'answer_why' in form.fields, Object.keys(form.fields).join());
      const res = await b.post(form.action, fields);
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /Bitte entfernen Sie unsichtbare Steuerzeichen/);
      assert.equal(await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).executeTakeFirst(), undefined);
      // The person removes it and sends the re-rendered form: accepted, line breaks in the long text kept.
      const again = pageForm(res.body, `/e/${event.slug}/apply`);
      assert.equal(fieldValue(res.body, 'email'), 'erika@example.de');
      const ok = await b.post(again.action, { ...again.fields, name: 'Erika Mustermann', answer_why: 'Erstens.\r\nZweitens.', consent: 'yes' });
      assert.equal(ok.statusCode, 303);
      const row = await c.db.db.selectFrom('applications').select(['name', 'answers']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
      assert.equal(row.name, 'Erika Mustermann');
      assert.match(String(row.answers), /Erstens\.\\r\\nZweitens\./);
    } finally {
      await app.close();
    }
  });

  test('JSON API: every control character in names, email and answers is a 422 with the field named', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    try {
      const post = (body: object, n: number) =>
        app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, headers: { 'x-forwarded-for': `10.2.0.${n}` }, payload: body });
      const cases: [object, string][] = [
        [{ name: 'Grace\u0000Hopper' }, 'name'],
        [{ name: 'Grace\u001bHopper' }, 'name'],
        [{ name: 'Grace\u0085Hopper' }, 'name'],
        [{ name: 'Grace\nHopper' }, 'name'],
        [{ email: 'grace\u0000@example.com' }, 'email'],
        [{ guests: [{ name: 'A\u0000da', relation: 'friend' }] }, 'guests.0.name'],
        [{ answers: { why: 'Com\u0000pilers' } }, 'answers.why'],
        [{ answers: { why: 'tab\there' } }, 'answers.why'],
      ];
      let n = 0;
      for (const [over, field] of cases) {
        const res = await post(apiBody({ email: `grace${n}@example.com`, ...over }), ++n);
        assert.equal(res.statusCode, 422, JSON.stringify(over));
        const err = res.json().error;
        assert.equal(err.code, 'validation.failed');
        const f = err.fields.find((x: { field: string }) => x.field === field);
        assert.ok(f, `${field} in ${JSON.stringify(err.fields)}`);
        assert.equal(f.code, 'control_characters');
        assert.match(f.message, /invisible control characters/);
      }
      // Line breaks in a long text are fine.
      const ok = await post(apiBody({ email: 'ok@example.com', answers: { why: 'One.\nTwo.' } }), ++n);
      assert.equal(ok.statusCode, 202, ok.body);
    } finally {
      await app.close();
    }
  });

  test('any other form: a NUL that reaches the database is the client’s 422, not a 500 (PostgreSQL refuses it)', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    try {
      const b = new Browser(app, { 'x-forwarded-for': '10.3.0.1' });
      const page = await b.get('/login');
      const form = pageForm(page.body, '/login');
      const res = await b.post(form.action, { ...form.fields, email: 'owner\u0000@example.com', password: 'whatever-long-enough' });
      assert.ok(res.statusCode === 401 || res.statusCode === 422, `status ${res.statusCode}`);
    } finally {
      await app.close();
    }
  });
});

test('organizer invites refuse control characters in name and email', () => {
  const base = { name: 'Ada Lovelace', email: 'ada@example.com', partySize: 1, category: 'press' };
  const codes = (over: object) => validateInvite({ ...base, ...over }).map((e) => `${e.field}:${e.code}`);
  assert.deepEqual(codes({ name: 'Ada\u0000 Lovelace' }), ['name:control_characters']);
  assert.deepEqual(codes({ email: 'ada\u0000@example.com' }), ['email:control_characters']);
});
