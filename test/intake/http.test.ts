import { onEveryEventTeam } from '../helpers/staff.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { configureIntake } from '../../src/intake/intake.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom, fieldValue } from '../helpers/http.ts';

const apiBody = (email: string, over: object = {}) => ({
  name: 'Grace Hopper',
  email,
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Compilers' },
  guests: [{ name: 'Ada Lovelace', relation: 'friend' }],
  ...over,
});

const formOf = (page: string, email: string) => ({
  _csrf: csrfFrom(page),
  form_token: fieldValue(page, 'form_token') ?? '',
  name: 'Max Mustermann',
  email,
  country: 'DE',
  locale: 'de',
  guest_name_0: 'Erika Mustermann',
  guest_relation_0: 'family',
  answer_why: 'Weil',
  consent: 'yes',
});

/** Holds the database so that the intake's first transaction cannot finish: SQLite's one connection, a table lock on PostgreSQL. */
async function holdWrites(c: TestContext): Promise<() => Promise<void>> {
  if (c.dialect === 'sqlite') {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let acquired!: () => void;
    const ready = new Promise<void>((r) => (acquired = r));
    const done = c.db.db.connection().execute(async () => {
      acquired();
      await held;
    });
    await ready;
    return async () => {
      release();
      await done;
    };
  }
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  await client.query('begin');
  await client.query(`lock table ${c.db.schema}.applications in exclusive mode`);
  return async () => {
    await client.query('commit');
    await client.end();
  };
}

const until = async (cond: () => boolean, ms = 3000) => {
  for (const t0 = Date.now(); !cond(); ) {
    if (Date.now() - t0 > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

forEachDialect('http intake', (ctx) => {
  test('API Idempotency-Key: a retry gets the first answer and creates nothing; another body under the key is 422', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const post = (body: object, key?: string) =>
      app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, payload: body, headers: key ? { 'idempotency-key': key } : {} });
    const first = await post(apiBody('retry@example.com'), 'f47ac10b-58cc-4372-a567-0e02b2c3d479');
    assert.equal(first.statusCode, 202);
    const [again, twice] = await Promise.all([
      post(apiBody('retry@example.com'), 'f47ac10b-58cc-4372-a567-0e02b2c3d479'),
      post(apiBody('retry@example.com'), 'f47ac10b-58cc-4372-a567-0e02b2c3d479'),
    ]);
    for (const r of [again, twice]) {
      assert.equal(r.statusCode, 202);
      assert.deepEqual(r.json(), first.json());
      assert.equal(r.headers['idempotent-replayed'], 'true');
    }
    const mismatch = await post(apiBody('someone-else@example.com'), 'f47ac10b-58cc-4372-a567-0e02b2c3d479');
    assert.equal(mismatch.statusCode, 422);
    assert.equal(mismatch.json().error.code, 'idempotency.mismatch');
    const bad = await post(apiBody('x@example.com'), 'schlüssel mit leerzeichen');
    assert.equal(bad.statusCode, 422);
    const rows = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).execute();
    assert.deepEqual(rows.map((r) => r.id), [first.json().id]);
    await app.close();
  });

  test('form: a double click with the one-time token yields one application and the same answer twice', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const page = await b.get(`/e/${event.slug}?lang=de`);
    const token = fieldValue(page.body, 'form_token');
    assert.ok(token && token.length >= 20, 'the form carries a one-time token');
    const form = formOf(page.body, 'doppelklick@example.de');
    const [one, two] = await Promise.all([b.post(`/e/${event.slug}/apply`, form), b.post(`/e/${event.slug}/apply`, form)]);
    const three = await b.post(`/e/${event.slug}/apply`, form);
    for (const r of [one, two, three]) {
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, `/e/${event.slug}/thanks`);
    }
    const rows = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).execute();
    assert.equal(rows.length, 1);
    const mails = await c.db.db.selectFrom('outbox').select('kind').where('event_id', '=', event.id).execute();
    assert.deepEqual(mails.map((m) => m.kind), ['application.verify'], 'no "already applied" mail for a replay');
    const fresh = await b.get(`/e/${event.slug}`);
    assert.notEqual(fieldValue(fresh.body, 'form_token'), token, 'every rendering gets a new token');
    await app.close();
  });

  test('backpressure: a full queue answers 503 + Retry-After at once (API), and the form keeps every answer', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    configureIntake(c.db, { maxQueue: 2, maxBatch: 1, concurrency: 1, maxWaitMs: 10_000 });
    try {
      const b = new Browser(app);
      const page = await b.get(`/e/${event.slug}?lang=de`);
      const warm = await app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, payload: apiBody('warm@example.com') });
      assert.equal(warm.statusCode, 202);
      const release = await holdWrites(c);
      const post = (email: string) => app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, payload: apiBody(email) });
      const waiting = [post('q1@example.com')];
      const { intakeFor } = await import('../../src/intake/intake.ts');
      await until(() => intakeFor(c.db).stats.inFlight === 1);
      waiting.push(post('q2@example.com'), post('q3@example.com'));
      await until(() => intakeFor(c.db).stats.queued === 2);
      const t0 = Date.now();
      const busy = await post('q4@example.com');
      assert.ok(Date.now() - t0 < 1000, 'refused at once, not after a timeout');
      assert.equal(busy.statusCode, 503);
      assert.equal(busy.json().error.code, 'service.unavailable');
      assert.ok(Number(busy.headers['retry-after']) >= 1);

      const form = formOf(page.body, 'geduldig@example.de');
      const full = await b.post(`/e/${event.slug}/apply`, form);
      assert.equal(full.statusCode, 503);
      assert.ok(Number(full.headers['retry-after']) >= 1);
      assert.match(full.body, /Gerade ist sehr viel los\. Ihre Angaben bleiben unten erhalten – bitte senden Sie das Formular in \d+ Sekunden erneut\./);
      assert.equal(fieldValue(full.body, 'name'), 'Max Mustermann');
      assert.equal(fieldValue(full.body, 'email'), 'geduldig@example.de');
      assert.equal(fieldValue(full.body, 'guest_name_0'), 'Erika Mustermann');
      assert.equal(fieldValue(full.body, 'answer_why'), 'Weil');
      assert.equal(fieldValue(full.body, 'form_token'), form.form_token, 'the retry is the same submission');

      await release();
      const answered = await Promise.all(waiting);
      assert.deepEqual(answered.map((r) => r.statusCode), [202, 202, 202]);
      const retry = await b.post(`/e/${event.slug}/apply`, { ...form, _csrf: csrfFrom(full.body) });
      assert.equal(retry.statusCode, 303);
      const n = await c.db.db.selectFrom('applications').select('email').where('event_id', '=', event.id).execute();
      assert.deepEqual(n.map((r) => r.email).sort(), ['geduldig@example.de', 'q1@example.com', 'q2@example.com', 'q3@example.com', 'warm@example.com']);
    } finally {
      configureIntake(c.db, {});
      await app.close();
    }
  });

  test('rate limits: per email address and per client IP, 429 with Retry-After', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c, { rateLimits: { applyPerIpPerMinute: 4, applyPerEmailPerHour: 2 } });
    const post = (email: string, ip: string) =>
      app.inject({ method: 'POST', url: `/api/v1/events/${event.slug}/applications`, payload: apiBody(email), headers: { 'x-forwarded-for': ip } });
    assert.equal((await post('same@example.com', '192.0.2.1')).statusCode, 202);
    assert.equal((await post('Same@Example.com', '192.0.2.2')).statusCode, 202, 'a repeat: same answer');
    const third = await post('same@example.com', '192.0.2.3');
    assert.equal(third.statusCode, 429);
    assert.equal(third.json().error.code, 'rate.limited');
    assert.ok(Number(third.headers['retry-after']) > 60, 'the address waits for its hour window');
    for (const i of [1, 2, 3]) assert.equal((await post(`ip${i}@example.com`, '198.51.100.7')).statusCode, 202);
    assert.equal((await post('ip4@example.com', '198.51.100.7')).statusCode, 202);
    assert.equal((await post('ip5@example.com', '198.51.100.7')).statusCode, 429);
    await app.close();
  });
});

forEachDialect('http export', (ctx) => {
  test('CSV export: streamed, one line per application with guests, answers and review flags; formulas neutralised; staff only', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const { createUser, startSession } = await import('../../src/services/users.ts');
    const { submitApplication } = await import('../../src/services/applications.ts');
    await submitApplication(c.deps, event.slug, apiBody('a@example.com', { name: 'Ann Example' }));
    await submitApplication(c.deps, event.slug, apiBody('b@example.com', { name: '=HYPERLINK("x") Evil', answers: { why: 'Line one\nline "two", three' } }));
    await submitApplication(c.deps, event.slug, apiBody('a.nn+x@example.com', { name: 'Ann Example' }));
    const url = `/admin/events/${event.id}/applications.csv`;
    assert.equal((await app.inject({ url })).statusCode, 303, 'sign-in first');
    const reviewer = await createUser(c.deps, 'test', { email: 'rev@example.com', role: 'reviewer', name: 'Rev' });
    await onEveryEventTeam(c.deps, reviewer.email);
    const token = await startSession(c.deps, reviewer.id);
    const res = await app.inject({ url, cookies: { admit_session: app.signCookie(token) } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="event-\d+-applications\.csv"/);
    const lines = res.body.replace(/^\ufeff/, '').trimEnd().split('\r\n');
    assert.match(lines[0], /^"Application id","Applied","Status","Email verified","Name","Email","Country of residence","Language","Party size","Guest 1: name","Guest 1: relation",/);
    assert.ok(lines[0].endsWith(',"Review flags"'));
    assert.equal(res.body.match(/@example\.com/g)?.length, 3);
    assert.ok(res.body.includes(`"'=HYPERLINK(""x"") Evil"`), 'formula neutralised and quoted');
    assert.ok(res.body.includes('"Line one\nline ""two"", three"'));
    assert.match(res.body, /Possible duplicate \(the same (email address, written differently|name and country)\)/);
    await app.close();
  });
});
