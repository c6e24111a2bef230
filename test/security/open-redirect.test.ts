import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom, fieldValue } from '../helpers/http.ts';
import { createUser } from '../../src/services/users.ts';
import { sameOriginPath } from '../../src/http/safe-redirect.ts';

const OFF_SITE = [
  '//evil.example',
  '//evil.example/admin',
  '/\\evil.example',
  '/\\evil.example/path',
  '\\\\evil.example',
  '/%5Cevil.example/x',
  '/%5cevil.example',
  '/%2F/evil.example',
  '/%2fevil.example',
  '%2F%2Fevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  'https:evil.example',
  'https://evil.example',
  'http:/evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '///evil.example',
  '/.//evil.example',
  'evil.example',
  '/\u0000/evil.example',
  '/%00/x',
  '/%E0%A4%A', // malformed percent-encoding
  '',
];

test('sameOriginPath refuses every off-site or ambiguous target', () => {
  for (const t of OFF_SITE) assert.equal(sameOriginPath(t), null, JSON.stringify(t));
  assert.equal(sameOriginPath(undefined), null);
  assert.equal(sameOriginPath(['/admin']), null);
});

test('sameOriginPath keeps paths of our own origin, with query and fragment', () => {
  assert.equal(sameOriginPath('/admin/events/new'), '/admin/events/new');
  assert.equal(sameOriginPath('/admin/events/abc?tab=2#x'), '/admin/events/abc?tab=2#x');
  assert.equal(sameOriginPath('/checkin'), '/checkin');
  // Dot segments are resolved as the browser would; the result stays on our origin.
  assert.equal(sameOriginPath('/admin/../checkin'), '/checkin');
});

forEachDialect('login ?next= (finding 2: open redirect)', (ctx) => {
  test('the login form carries only a same-origin next, and the post redirects only there', async () => {
    const c = ctx();
    await createUser(c.deps, 'test', { email: 'redirect@admit.test', role: 'owner', password: 'correct horse battery' });
    const app = await buildTestApp(c);
    try {
      const signedIn = new Browser(app, { 'x-forwarded-for': '10.0.0.1' });
      const first = await signedIn.get('/login');
      assert.equal((await signedIn.post('/login', { _csrf: csrfFrom(first.body), email: 'redirect@admit.test', password: 'correct horse battery', next: '/admin' })).statusCode, 303);
      let ip = 1;
      for (const next of [...OFF_SITE.filter((t) => t !== ''), '/admin/events/new']) {
        const expected = next === '/admin/events/new' ? '/admin/events/new' : '/admin';
        // The page as the browser gets it: the hidden field holds only a same-origin path; post exactly the form.
        const b = new Browser(app, { 'x-forwarded-for': `10.1.${ip >> 8}.${ip++ & 255}` });
        const page = await b.get(`/login?next=${encodeURIComponent(next)}`);
        assert.equal(page.statusCode, 200);
        assert.equal(fieldValue(page.body, 'next'), expected, JSON.stringify(next));
        // A hand-made post with the raw value, bypassing the rendered form.
        const res = await b.post('/login', { _csrf: csrfFrom(page.body), email: 'redirect@admit.test', password: 'correct horse battery', next });
        assert.equal(res.statusCode, 303, JSON.stringify(next));
        assert.equal(res.headers.location, expected, JSON.stringify(next));
        // A signed-in visit to /login?next= goes through the same gate.
        const again = await signedIn.get(`/login?next=${encodeURIComponent(next)}`);
        assert.equal(again.headers.location, expected, JSON.stringify(next));
      }
      // The reported request: the raw query string, as a browser sends it.
      const b = new Browser(app);
      await b.get('/login');
      const p = await b.get('/login?next=/%5Cevil.example/x');
      assert.equal(fieldValue(p.body, 'next'), '/admin');
    } finally {
      await app.close();
    }
  });
});
