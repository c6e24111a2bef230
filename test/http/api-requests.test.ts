import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

// Issue 12, from a new API client: unreadable bodies are 400, oversized ones 413, and yes/no questions take
// JSON booleans as well as "yes"/"no".
const body = (email: string, answers: Record<string, unknown>) =>
  JSON.stringify({ name: 'Grace Hopper', email, country: 'US', locale: 'en', consent: true, answers: { why: 'Compilers', ...answers }, guests: [] });

let n = 0;
const ip = () => `10.12.${++n >> 8}.${n & 255}`;

forEachDialect('api: request errors and booleans', (ctx) => {
  test('malformed JSON is 400 request.malformed; a body over the limit is 413 request.too_large', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    try {
      const url = `/api/v1/events/${event.slug}/applications`;
      const bad = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() }, payload: '{"name": "Grace",' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'request.malformed');
      const huge = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() },
        payload: body('big@example.com', { why: 'x'.repeat(300 * 1024) }),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().error.code, 'request.too_large');
      // A readable body with a wrong field is still a 422 with fields.
      const invalid = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() }, payload: JSON.stringify({ email: 1 }) });
      assert.equal(invalid.statusCode, 422);
      assert.equal(invalid.json().error.code, 'validation.failed');
      const de = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'accept-language': 'de', 'x-forwarded-for': ip() }, payload: '{' });
      assert.equal(de.json().error.message, 'Die Anfrage konnte nicht gelesen werden');
    } finally {
      await app.close();
    }
  });

  test('yes/no questions accept true/false as well as "yes"/"no"; other types refuse booleans', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    try {
      const url = `/api/v1/events/${event.slug}/applications`;
      const post = (email: string, answers: Record<string, unknown>) =>
        app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() }, payload: body(email, answers) });
      assert.equal((await post('t@example.com', { fan: true })).statusCode, 202);
      assert.equal((await post('f@example.com', { fan: false })).statusCode, 202);
      assert.equal((await post('y@example.com', { fan: 'yes' })).statusCode, 202);
      const wrong = await post('w@example.com', { fan: 'maybe' });
      assert.equal(wrong.statusCode, 422);
      const boolForText = await post('b@example.com', { why: true });
      assert.equal(boolForText.statusCode, 422, 'a boolean is no answer to a text question');
      const rows = await c.db.db.selectFrom('applications').select(['email', 'answers']).where('event_id', '=', event.id).orderBy('email').execute();
      const fan = Object.fromEntries(rows.map((r) => [r.email, JSON.parse(r.answers).fan]));
      assert.deepEqual(fan, { 'f@example.com': 'no', 't@example.com': 'yes', 'y@example.com': 'yes' });
    } finally {
      await app.close();
    }
  });

  test('the OpenAPI document says so', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    try {
      const doc = (await app.inject({ url: '/api/openapi.json' })).json();
      const op = doc.paths['/api/v1/events/{slug}/applications'].post;
      assert.ok(op.responses['400'], '400 documented');
      assert.ok(op.responses['413'], '413 documented');
      const answers = op.requestBody.content['application/json'].schema.properties.answers;
      assert.deepEqual(answers.additionalProperties.type, ['string', 'boolean']);
    } finally {
      await app.close();
    }
  });
});
