import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp, type Browser } from '../helpers/http.ts';
import { formFor, setChecked, urlencoded, type ParsedForm } from '../helpers/forms.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { reviewApplication } from '../../src/services/review.ts';

function post(app: FastifyInstance, b: Browser, form: ParsedForm) {
  return app.inject({
    method: 'POST',
    url: form.action,
    headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: urlencoded(form.fields),
  });
}

forEachDialect('staff: event teams on the users page', (ctx) => {
  test('the owner ticks the events of a reviewer (form as rendered); the reviewer then sees exactly those', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const summer = await c.makeEvent({ slug: 'team-summer' });
    const winter = await c.makeEvent({ slug: 'team-winter' });
    const owner = await makeStaff(c, 'owner');
    const reviewer = await makeStaff(c, 'reviewer', { email: 'rita@admit.test' });
    const o = await sessionBrowser(app, c, owner);
    const r = await sessionBrowser(app, c, reviewer);
    assert.equal((await r.browser.get(`/admin/events/${summer.id}/applications`)).statusCode, 403, 'on no team yet');

    const page = await o.browser.get('/admin/users');
    assert.equal(page.statusCode, 200);
    const form = formFor(page.body, `/admin/users/${reviewer.id}/events`);
    assert.ok(form.html.includes('rita@admit.test'), 'the form names the person');
    assert.deepEqual(form.fields.filter(([n]) => n === 'events'), [], 'nothing ticked yet');
    setChecked(form, 'events', summer.id, true);
    const saved = await post(app, o.browser, form);
    assert.equal(saved.statusCode, 200);
    assert.match(saved.body, /Events saved for rita@admit.test/);

    assert.equal((await r.browser.get(`/admin/events/${summer.id}/applications`)).statusCode, 200);
    assert.equal((await r.browser.get(`/admin/events/${winter.id}/applications`)).statusCode, 403);
    const audit = await c.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.events_changed').where('subject_id', '=', reviewer.id).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, owner.id);
    assert.deepEqual(JSON.parse(audit[0].data), { added: [summer.id], removed: [] });

    // Swap: the re-rendered form shows the tick; untick summer, tick winter.
    const again = formFor((await o.browser.get('/admin/users')).body, `/admin/users/${reviewer.id}/events`);
    assert.deepEqual(again.fields.filter(([n]) => n === 'events'), [['events', summer.id]]);
    setChecked(again, 'events', summer.id, false);
    setChecked(again, 'events', winter.id, true);
    assert.equal((await post(app, o.browser, again)).statusCode, 200);
    assert.equal((await r.browser.get(`/admin/events/${summer.id}/applications`)).statusCode, 403);
    assert.equal((await r.browser.get(`/admin/events/${winter.id}/applications`)).statusCode, 200);

    // Only the owner manages teams; owners and admins get no team form (they work on every event).
    const rForm = formFor(page.body, `/admin/users/${reviewer.id}/events`);
    assert.equal((await post(app, r.browser, { ...rForm, fields: rForm.fields.map(([n, v]) => [n, n === '_csrf' ? r.csrf : v]) })).statusCode, 403);
    assert.throws(() => formFor(page.body, `/admin/users/${owner.id}/events`));
    await app.close();
  });
});

forEachDialect('finding 10: approving outside the draw', (ctx) => {
  test('a reviewer may not approve a waitlisted or not-selected party; an admin may, and the audit log names it', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'after-draw' });
    const reviewer = await makeStaff(c, 'reviewer', { events: [event.id] });
    const admin = await makeStaff(c, 'admin');
    const waiting = await insertParty(c, event, { status: 'waitlisted', drawPosition: 7, entryId: 'e7' });
    const notSelected = await insertParty(c, event, { status: 'not_selected', drawPosition: 9, entryId: 'e9' });
    const fresh = await insertParty(c, event, { status: 'submitted' });

    // The reviewer's page offers no approval for a waitlisted party (but still for one that was never drawn).
    const r = await sessionBrowser(app, c, reviewer);
    const waitingPage = await r.browser.get(`/admin/applications/${waiting.id}`);
    assert.equal(waitingPage.statusCode, 200);
    assert.ok(!/name="decision" value="approve"/.test(waitingPage.body), 'no approve button for the reviewer');
    assert.ok(/name="decision" value="reject"/.test(waitingPage.body));
    assert.ok(/name="decision" value="approve"/.test((await r.browser.get(`/admin/applications/${fresh.id}`)).body));

    // Posted anyway (the form with the decision a browser could be made to send): refused, nothing changes.
    const form = formFor(waitingPage.body, `/admin/applications/${waiting.id}/review`);
    const refused = await post(app, r.browser, { ...form, fields: [...form.fields, ['decision', 'approve']] });
    assert.equal(refused.statusCode, 403);
    await assert.rejects(reviewApplication(c.deps, reviewer.id, notSelected.id, 'approve'), (e: { code?: string }) => e.code === 'auth.forbidden');
    const still = await c.db.db.selectFrom('applications').select('status').where('id', 'in', [waiting.id, notSelected.id]).execute();
    assert.deepEqual(still.map((s) => s.status).sort(), ['not_selected', 'waitlisted']);

    // The admin's page offers it; approving makes an offer and an audit entry of its own kind.
    const a = await sessionBrowser(app, c, admin);
    const adminPage = await a.browser.get(`/admin/applications/${waiting.id}`);
    const adminForm = formFor(adminPage.body, `/admin/applications/${waiting.id}/review`);
    assert.ok(/name="decision" value="approve"/.test(adminForm.html));
    const done = await post(app, a.browser, { ...adminForm, fields: [...adminForm.fields, ['decision', 'approve']] });
    assert.equal(done.statusCode, 303);
    const row = await c.db.db.selectFrom('applications').select(['status', 'offer_source']).where('id', '=', waiting.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'offered', offer_source: 'review' });
    const audit = await c.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', waiting.id).where('action', 'like', 'application.%').execute();
    assert.deepEqual(audit.map((x) => x.action).sort(), ['application.approved_outside_draw', 'application.offered']);
    const entry = audit.find((x) => x.action === 'application.approved_outside_draw')!;
    assert.equal(entry.actor, admin.id);
    assert.deepEqual(JSON.parse(entry.data), { from: 'waitlisted', drawPosition: 7 });

    // A reviewer's other decisions still work (reject of a not-selected party).
    assert.equal((await reviewApplication(c.deps, reviewer.id, notSelected.id, 'reject')).status, 'rejected');
    await app.close();
  });
});
