import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { findForm, formBody } from '../helpers/form-controls.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { submitApplication } from '../../src/services/applications.ts';
import { applicationInput } from '../helpers/application-input.ts';

const input = (email: string, over: Parameters<typeof applicationInput>[1] = {}) => applicationInput(email, { guests: [], ...over });

/** The names in the list's rows (first column). */
const rowNames = (body: string) => [...body.matchAll(/<th scope="row"><a href="[^"]+"><bdi>([^<]+)<\/bdi><\/a><\/th>/g)].map((m) => m[1]).sort();

forEachDialect('review flags for organizers', (ctx) => {
  test('flags show on the list (marks, a filter posted as the form sends it) and on the detail page with a link to the earlier application', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const first = await submitApplication(c.deps, event.slug, input('jane.doe@corp.example', { name: 'Jane Doe', guests: [{ name: 'John Roe', relation: 'partner' }] }));
    const dup = await submitApplication(c.deps, event.slug, input('janedoe+launch@corp.example', { name: 'J. Doe' }));
    await submitApplication(c.deps, event.slug, input('john@roe.example', { name: 'John Roe' }));
    // A Cyrillic "а" in a Latin address: a look-alike.
    const lookalike = await submitApplication(c.deps, event.slug, input('grаce@hopper.example', { name: 'Grace Hopper' }));
    await submitApplication(c.deps, event.slug, input('unrelated@x.example', { name: 'Alan Turing' }));

    const app = await buildTestApp(c);
    const owner = await makeStaff(c, 'owner');
    const { browser } = await sessionBrowser(app, c, owner, { 'accept-language': 'de' });
    const url = `/admin/events/${event.id}/applications`;
    const list = await browser.get(url);
    assert.equal(list.statusCode, 200);
    assert.equal(rowNames(list.body).length, 5);
    assert.match(list.body, /<span class="badge warn">Mögliches Duplikat<span class="visually-hidden">: dieselbe E-Mail-Adresse, anders geschrieben<\/span><\/span>/);
    assert.match(list.body, /<span class="badge warn">Verwechselbare Adresse/);

    // The filter form as a browser sends it (GET to the list itself).
    const form = findForm(list.body, '', 'flag');
    const only = async (flag: string) => rowNames((await browser.get(`${url}?${formBody(form, { flag })}`)).body);
    assert.deepEqual(await only('possible_duplicate'), ['J. Doe']);
    assert.deepEqual(await only('same_household'), ['John Roe']);
    assert.deepEqual(await only('suspicious_email'), ['Grace Hopper']);
    assert.deepEqual(await only('any'), ['Grace Hopper', 'J. Doe', 'John Roe']);

    const detail = await browser.get(`/admin/applications/${dup.id}`);
    assert.match(detail.body, /<h2 id="flags-h">Prüfhinweise<\/h2>/);
    assert.match(detail.body, new RegExp(`<strong>Mögliches Duplikat</strong> — dieselbe E-Mail-Adresse, anders geschrieben: <a href="/admin/applications/${first.id}"><bdi>Jane Doe</bdi></a>`));
    const look = await browser.get(`/admin/applications/${lookalike.id}?lang=en`);
    assert.match(look.body, /<strong>Look-alike address<\/strong> — the address mixes alphabets \(look-alike letters\)<\/li>/);
    const clean = await browser.get(`/admin/applications/${first.id}`);
    assert.ok(!clean.body.includes('flags-h'), 'no section without flags');

    // The CSV names them in the organizer's language too.
    const csv = await browser.get(`/admin/events/${event.id}/applications.csv?lang=en`);
    assert.match(csv.body, /Possible duplicate \(the same email address, written differently\)/);
    await app.close();
  });

  test('blind review: the flag links to the related application without its name', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const first = await submitApplication(c.deps, event.slug, input('jane.doe@corp.example', { name: 'Jane Doe' }));
    const dup = await submitApplication(c.deps, event.slug, input('janedoe@corp.example', { name: 'Jane Doe' }));
    await c.db.db.insertInto('review_settings').values({ event_id: event.id, blind: 1, updated_at: new Date().toISOString() }).execute();
    const app = await buildTestApp(c);
    const reviewer = await makeStaff(c, 'reviewer', { events: [event.id] });
    const { browser } = await sessionBrowser(app, c, reviewer);
    const detail = await browser.get(`/admin/applications/${dup.id}`);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, new RegExp(`<a href="/admin/applications/${first.id}"><bdi>Application …${first.id.slice(-6)}</bdi></a>`));
    assert.ok(!detail.body.includes('Jane Doe'));
    await app.close();
  });
});
