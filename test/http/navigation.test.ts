import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { createUser } from '../../src/services/users.ts';

forEachDialect('staff navigation', (ctx) => {
  test('door staff land on check-in after signing in and see only the links their role may use', async () => {
    const c = ctx();
    await createUser(c.deps, 'test', { email: 'door@example.com', role: 'door', password: 'door-password-1' });
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const login = await b.get('/login');
    const res = await b.post('/login', { _csrf: csrfFrom(login.body), email: 'door@example.com', password: 'door-password-1', next: '/admin' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/checkin');
    const page = await b.get('/checkin');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/checkin"/);
    assert.doesNotMatch(page.body, /href="\/admin\/mail"/);
    assert.doesNotMatch(page.body, /href="\/admin\/users"/);
    await app.close();
  });

  test('an owner lands on the dashboard, with links to selection, time & venue and the team', async () => {
    const c = ctx();
    await createUser(c.deps, 'test', { email: 'owner@example.com', role: 'owner', password: 'owner-password-1' });
    const event = await c.makeEvent();
    const app = await buildTestApp(c);
    const b = new Browser(app);
    const login = await b.get('/login');
    const res = await b.post('/login', { _csrf: csrfFrom(login.body), email: 'owner@example.com', password: 'owner-password-1', next: '/admin' });
    assert.equal(res.headers.location, '/admin');
    const dash = await b.get('/admin');
    assert.match(dash.body, new RegExp(`href="/admin/events/${event.id}/selection"`));
    assert.match(dash.body, new RegExp(`href="/admin/events/${event.id}/reveal"`));
    assert.match(dash.body, /href="\/admin\/users"/);
    await app.close();
  });
});
