import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { createUser } from '../../src/services/users.ts';
import { normalizeEmail } from '../../src/domain/email.ts';
import { cleanEmail, isMixedScriptEmail, stripBidiControls } from '../../src/domain/unicode.ts';
import { validateApplication } from '../../src/domain/application.ts';
import { EVENT_DEFAULTS, type Event } from '../../src/domain/event.ts';
import { demoEventInput } from '../../src/services/demo.ts';

// Finding 12: look-alike addresses are one identity or flagged; bidi controls cannot reorder organizer pages.
const CYRILLIC_A = '\u0430';
const RLO = '\u202e';

test('addresses: NFKC and invisible characters fold to one identity', () => {
  for (const v of ['a\u200bda@example.com', 'ａｄａ@example.com', '\ufeffada@example.com', 'a\u00adda@exam\u200dple.com', 'ADA@EXAMPLE.COM\u2060', `a${RLO}da@example.com`]) {
    assert.equal(normalizeEmail(v), 'ada@example.com', JSON.stringify(v));
  }
  assert.equal(cleanEmail(' ａｄａ@example.com '), 'ada@example.com');
});

test('addresses: mixing scripts inside one part is detected; one script per part is not', () => {
  assert.equal(isMixedScriptEmail(`p${CYRILLIC_A}ypal@example.com`), true);
  assert.equal(isMixedScriptEmail(`ada@p${CYRILLIC_A}ypal.com`), true);
  assert.equal(isMixedScriptEmail('ada@exa\u03bfple.com'), true, 'Greek omicron');
  assert.equal(isMixedScriptEmail('ada@example.com'), false);
  assert.equal(isMixedScriptEmail('иван@пример.рф'), false);
  assert.equal(isMixedScriptEmail('ivan@пример.рф'), false, 'Latin local part, Cyrillic domain: each part in one script');
  assert.equal(isMixedScriptEmail('jürgen.müller-2@straße.de'), false);
});

test('names: bidi controls are removed on input; ZWNJ (Persian) is kept', () => {
  assert.equal(stripBidiControls(`Eve ${RLO}txt.exe\u202c`), 'Eve txt.exe');
  const event: Event = { ...EVENT_DEFAULTS, ...demoEventInput(new Date('2026-11-01T00:00:00Z')), id: 'e1' };
  const r = validateApplication(event, { name: `Eve ${RLO}gnp.exe`, email: 'eve@example.com', country: 'US', consent: true, answers: { why: 'x' }, guests: [{ name: `\u2067Mallory\u2069 Bob`, relation: 'friend' }] });
  assert.equal(r.value?.name, 'Eve gnp.exe');
  assert.equal(r.value?.guests[0].name, 'Mallory Bob');
  assert.equal(validateApplication(event, { name: 'می\u200cخواهم', email: 'x@example.com', country: 'US', consent: true, answers: { why: 'x' } }).value?.name, 'می\u200cخواهم');
});

forEachDialect('look-alike addresses and bidi names in the intake (finding 12)', (ctx) => {
  test('look-alike spellings of one address make one application; a mixed-script address is flagged for review', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    try {
      let n = 0;
      const apply = (email: string, name = 'Ada Lovelace') =>
        app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.slug}/applications`,
          headers: { 'x-forwarded-for': `10.12.0.${++n}` },
          payload: { name, email, country: 'US', consent: true, answers: { why: 'x' }, guests: [] },
        });
      for (const email of ['ada@example.com', 'a\u200bda@example.com', 'ａｄａ@example.com']) assert.equal((await apply(email)).statusCode, 202, email);
      const rows = await c.db.db.selectFrom('applications').select(['email', 'email_normalized']).where('event_id', '=', event.id).execute();
      assert.deepEqual(rows, [{ email: 'ada@example.com', email_normalized: 'ada@example.com' }]);

      assert.equal((await apply(`p${CYRILLIC_A}ypal@example.com`, 'Pay Pal')).statusCode, 202);
      assert.equal((await apply('grace@example.com', 'Grace Hopper')).statusCode, 202);
      const flags = await c.db.db
        .selectFrom('application_flags')
        .innerJoin('applications', 'applications.id', 'application_flags.application_id')
        .select(['applications.email', 'application_flags.kind', 'application_flags.reason', 'application_flags.related_id'])
        .where('application_flags.event_id', '=', event.id)
        .execute();
      assert.deepEqual(flags, [{ email: `p${CYRILLIC_A}ypal@example.com`, kind: 'suspicious_email', reason: 'mixed_script', related_id: null }]);
    } finally {
      await app.close();
    }
  });

  test('organizer pages show names without bidi controls, isolated in <bdi>', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await createUser(c.deps, 'test', { email: `admin-bidi-${c.dialect}@admit.test`, role: 'admin', password: 'correct horse battery' });
    const app = await buildTestApp(c);
    try {
      // Applied through the form as a browser posts it.
      const applicant = new Browser(app);
      const page = await applicant.get(`/e/${event.slug}`);
      const res = await applicant.post(`/e/${event.slug}/apply`, {
        _csrf: csrfFrom(page.body),
        name: `Eve ${RLO}gnp.exe`,
        email: 'eve@example.com',
        country: 'US',
        locale: 'en',
        guest_name_0: `\u2067Mallory\u2069 Bob`,
        guest_relation_0: 'friend',
        answer_why: 'x',
        consent: 'yes',
      });
      assert.equal(res.statusCode, 303);
      const row = await c.db.db.selectFrom('applications').select(['id', 'name', 'guests']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
      assert.equal(row.name, 'Eve gnp.exe');

      const admin = new Browser(app);
      const login = await admin.get('/login');
      assert.equal((await admin.post('/login', { _csrf: csrfFrom(login.body), email: `admin-bidi-${c.dialect}@admit.test`, password: 'correct horse battery', next: '/admin' })).statusCode, 303);
      const list = await admin.get(`/admin/events/${event.id}/applications`);
      const detail = await admin.get(`/admin/applications/${row.id}`);
      for (const body of [list.body, detail.body]) {
        assert.doesNotMatch(body, /[\u202a-\u202e\u2066-\u2069]/, 'no bidi control reaches the page');
        assert.match(body, /<bdi>Eve gnp\.exe<\/bdi>/);
      }
      assert.match(detail.body, /<li><bdi>Mallory Bob<\/bdi>/);
    } finally {
      await app.close();
    }
  });
});
