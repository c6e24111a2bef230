import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { findForm, formBody } from '../helpers/form-controls.ts';
import { saveBrand } from '../../src/services/brand.ts';

const HOST = 'http://localhost:5173';

forEachDialect('http embed', (ctx) => {
  test('the embedded form: framing only by listed sites, and applying works without any cookie (signed token, own origin, language in the URL)', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'embedded' });
    let res = await app.inject({ method: 'GET', url: '/e/embedded/embed?lang=de' });
    assert.match(res.headers['content-security-policy'] as string, /frame-ancestors 'none'/, 'nobody may frame it before sites are listed');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    await saveBrand(c.deps, 'owner', event.id, { accentColour: '', altText: {}, embedOrigins: `${HOST}\nhttps://brand.example` });
    res = await app.inject({ method: 'GET', url: `/e/embedded/embed?lang=de&parent=${encodeURIComponent(HOST)}` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-security-policy'] as string, /frame-ancestors http:\/\/localhost:5173 https:\/\/brand.example(;|$)/);
    assert.match(res.headers['content-security-policy'] as string, /script-src 'self';/, 'the rest of the CSP stays strict');
    assert.equal(res.headers['x-frame-options'], undefined);
    assert.match(res.body, /<html lang="de"/);
    assert.match(res.body, /data-parent="http:\/\/localhost:5173"/);
    assert.ok(!res.body.includes('<header class="site">'), 'no site chrome in the frame');
    const form = findForm(res.body, '/e/embedded/embed/apply?lang=de');
    const fill = { name: 'Jana Beispiel', email: 'jana@example.com', country: 'DE', consent: true, answer_why: 'Weil es schön wird.' };
    const body = formBody(form, fill).toString();
    const post = (headers: Record<string, string>, payload = body) =>
      app.inject({ method: 'POST', url: form.action, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });

    // Another site's page posting to the form, or a forged token: refused.
    assert.equal((await post({ origin: HOST, 'sec-fetch-site': 'cross-site' })).statusCode, 403);
    assert.equal((await post({ origin: 'http://admit.test' }, body.replace(/_csrf=[^&]+/, '_csrf=1.forged'))).statusCode, 403);

    // No cookie header at all (a browser blocking third-party cookies): accepted.
    res = await post({ origin: 'http://admit.test', 'sec-fetch-site': 'same-origin' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/e/embedded/embed/thanks?lang=de&parent=${encodeURIComponent(HOST)}`);
    const thanks = await app.inject({ method: 'GET', url: res.headers.location as string });
    assert.match(thanks.headers['content-security-policy'] as string, /frame-ancestors http:\/\/localhost:5173/);
    assert.match(thanks.body, /<html lang="de"/);
    const app1 = await c.db.db.selectFrom('applications').select(['locale', 'id']).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(app1.locale, 'de');
    const mail = await c.db.db.selectFrom('outbox').select(['locale']).where('to_address', '=', 'jana@example.com').executeTakeFirstOrThrow();
    assert.equal(mail.locale, 'de');

    const script = await app.inject({ method: 'GET', url: '/embed.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.match(script.body, /e\.origin !== origin \|\| e\.source !== frame\.contentWindow/);
  });
});
