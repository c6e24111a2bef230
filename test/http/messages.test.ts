import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { OutboxSender, smtpTransport } from '../../src/mail/sender.ts';
import { queueDueMessages } from '../../src/services/messages.ts';

forEachDialect('organizer messages', (ctx) => {
  test('"confirmed, from Germany" in English and German: counted, previewed, confirmed, arrives once per person in their language', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'msg-event' });
    const de1 = await insertParty(c, event, { status: 'confirmed', name: 'Jörg <b>Muster</b>', locale: 'de', guests: ['Gast'] });
    const de2 = await insertParty(c, event, { status: 'confirmed', name: 'Emma Engel', locale: 'en' });
    const us = await insertParty(c, event, { status: 'confirmed', name: 'Sam Stateside', locale: 'en' });
    const waiting = await insertParty(c, event, { status: 'waitlisted', name: 'Wanda Wait', locale: 'de' });
    for (const p of [de1, de2, waiting]) await c.db.db.updateTable('applications').set({ country: 'DE' }).where('id', '=', p.id).execute();
    void us;
    const owner = await makeStaff(c, 'owner');
    const { browser } = await sessionBrowser(app, c, owner);

    // The tab bar leads to Messages; the log is empty; "New message" opens the form.
    const home = await browser.get(`/admin/events/${event.id}`);
    assert.match(home.body, new RegExp(`href="/admin/events/${event.id}/messages"`));
    const log0 = await browser.get(`/admin/events/${event.id}/messages`);
    assert.equal(log0.statusCode, 200);
    const page = await browser.get(`/admin/events/${event.id}/messages/new`);
    assert.equal(page.statusCode, 200);
    const form = findForm(page.body, `/admin/events/${event.id}/messages`);
    // Countries are picked by their names, not typed as codes.
    assert.match(page.body, /<input type="checkbox" id="f-countries-DE" name="countries" value="DE"><label for="f-countries-DE">Germany<\/label>/);
    assert.doesNotMatch(page.body, /name="countries" type="text"/);

    const fill = {
      audience: 'confirmed',
      countries: ['DE'],
      subject_en: 'Parking for {name}',
      body_en: 'Hello {name}, parking is at gate B for your party of {party_size}. <script>alert(1)</script> {unknown_thing}',
      subject_de: 'Parken für {name}',
      body_de: 'Hallo {name}, Parken an Tor B für {party_size} Personen.',
    };
    // An unknown placeholder is refused with a field error, nothing is stored.
    const bad = await submitForm(app, browser, form, fill, 'action=preview');
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /\{unknown_thing\}/);
    const body_en = 'Hello {name}, parking is at gate B for your party of {party_size}. <script>alert(1)</script>';

    // Count: the form says how many it reaches.
    const counted = await submitForm(app, browser, form, { ...fill, body_en }, 'action=count');
    assert.equal(counted.statusCode, 200);
    assert.match(counted.body, /This reaches 2 people/);

    // Preview → the confirmation page with the count and a preview per language.
    const confirm = await submitForm(app, browser, form, { ...fill, body_en }, 'action=preview');
    assert.equal(confirm.statusCode, 200, confirm.body.slice(0, 500));
    assert.match(confirm.body, /goes to 2 people now/);
    assert.match(confirm.body, /<p class="segment"><strong>Recipients:<\/strong> Confirmed guests · Germany<\/p>/);
    assert.match(confirm.body, /<input type="hidden" name="countries" value="DE">/);
    assert.match(confirm.body, /Hallo Alex Example, Parken an Tor B/);
    assert.ok(!confirm.body.includes('<script>alert(1)</script>'), 'escaped in the preview');
    const confirmForm = findForm(confirm.body, `/admin/events/${event.id}/messages`, 'confirm');
    const sent = await submitForm(app, browser, confirmForm);
    assert.equal(sent.statusCode, 303);
    assert.match(String(sent.headers.location), /done=queued&n=2/);

    // The outbox holds one mail per recipient; the sender delivers over real SMTP.
    const sink = await startSmtpSink();
    try {
      const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>'), instanceId: 'msg-test' });
      await sender.drain();
      await sender.stop();
      assert.equal(sink.messages.length, 2);
      const byTo = new Map(sink.messages.map((m) => [m.to[0], m]));
      assert.deepEqual([...byTo.keys()].sort(), [de1.email, de2.email].sort(), 'exactly the confirmed parties from Germany, once each');
      const german = byTo.get(de1.email)!;
      assert.equal(german.subject, 'Parken für Jörg <b>Muster</b>');
      assert.match(german.text, /Hallo Jörg <b>Muster<\/b>, Parken an Tor B für 2 Personen/);
      assert.ok(german.html.includes('Jörg &lt;b&gt;Muster&lt;/b&gt;'), 'the name is escaped in HTML');
      const english = byTo.get(de2.email)!;
      assert.match(english.text, /Hello Emma Engel, parking is at gate B for your party of 1/);
      assert.ok(english.html.includes('&lt;script&gt;'), 'the organizer text is escaped in HTML too');
      for (const m of sink.messages) {
        const raw = m.raw.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
        assert.match(raw, /^List-Unsubscribe: <http:\/\/admit\.test\/u\/[0-9a-z]{26}[A-Za-z0-9_-]{22}>\r?$/m, 'one-click unsubscribe on an organizer message');
        assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
        assert.equal(m.headers.get('auto-submitted'), 'auto-generated');
        assert.ok(m.text && m.html && m.messageId && m.headers.get('date'));
      }
    } finally {
      await sink.close();
    }

    // The log shows the message with its counts, and the capability links are gone from the stored rows.
    const log = await browser.get(`/admin/events/${event.id}/messages`);
    assert.match(log.body, /Parking for \{name\}/);
    assert.match(log.body, /<td>Confirmed guests · Germany<\/td>/);
    const rows = await c.db.db.selectFrom('outbox').select(['params', 'status']).where('kind', '=', 'message').execute();
    assert.ok(rows.every((r) => r.status === 'sent' && !/\/u\/[a-z0-9]{20}/.test(r.params ?? '')));
    await app.close();
  });

  test('scheduled for later in the event\'s time zone: nothing is queued before the time, then once; a test goes only to the organizer', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'msg-later', timezone: 'Europe/Berlin' });
    await insertParty(c, event, { status: 'waitlisted' });
    await insertParty(c, event, { status: 'waitlisted' });
    const owner = await makeStaff(c, 'owner');
    const { browser } = await sessionBrowser(app, c, owner);
    const form = findForm((await browser.get(`/admin/events/${event.id}/messages/new`)).body, `/admin/events/${event.id}/messages`);
    const fill = { audience: 'waitlisted', subject_en: 'News', body_en: 'Still waiting, {name}? Here is your page: {status_link}', send_at: '2026-11-02T09:00' };

    const tested = await submitForm(app, browser, form, fill, 'action=test');
    assert.equal(tested.statusCode, 200);
    const testMail = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'message.test').execute();
    assert.deepEqual(testMail.map((m) => m.to_address), [owner.email]);

    const confirm = await submitForm(app, browser, form, fill, 'action=preview');
    assert.match(confirm.body, /goes to 2 people \(counted now\)/);
    const done = await submitForm(app, browser, findForm(confirm.body, `/admin/events/${event.id}/messages`, 'confirm'));
    assert.match(String(done.headers.location), /done=scheduled/);
    const count = async () => (await c.db.db.selectFrom('outbox').select('id').where('kind', '=', 'message').where('event_id', '=', event.id).execute()).length;
    assert.equal(await queueDueMessages(c.deps), 0);
    assert.equal(await count(), 0);
    c.clock.set(new Date('2026-11-02T08:00:00.000Z')); // 09:00 in Berlin
    assert.equal(await queueDueMessages(c.deps), 2);
    assert.equal(await queueDueMessages(c.deps), 0, 'a second run queues nothing');
    assert.equal(await count(), 2);
    const params = (await c.db.db.selectFrom('outbox').select('params').where('kind', '=', 'message').where('event_id', '=', event.id).execute()).map((r) => JSON.parse(r.params!));
    assert.ok(params.every((p) => /http:\/\/admit\.test\/a\/[A-Za-z0-9_-]{27}/.test(p.body)), 'each gets a fresh status link');
    await app.close();
  });

  test('countries in German: filtered without JavaScript, picked by name, summarized by name on the confirmation and in the log', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'msg-countries' });
    for (const country of ['DE', 'AT', 'CH']) {
      const p = await insertParty(c, event, { status: 'confirmed', locale: 'de' });
      await c.db.db.updateTable('applications').set({ country }).where('id', '=', p.id).execute();
    }
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    browser.cookies.set('admit_lang', 'de');
    const action = `/admin/events/${event.id}/messages`;
    const page = await browser.get(`${action}/new`);
    assert.match(page.body, /<label for="f-countries-AT">Österreich<\/label>/);
    // "Show matching countries" without JavaScript: the list narrows, the ticked ones stay.
    const filtered = await submitForm(app, browser, findForm(page.body, action), { countries: ['DE'], country_filter: 'österr' }, 'action=count');
    assert.equal(filtered.statusCode, 200);
    assert.match(filtered.body, /id="f-countries-DE" name="countries" value="DE" checked/);
    assert.match(filtered.body, /id="f-countries-AT"/);
    assert.doesNotMatch(filtered.body, /id="f-countries-CH"/);
    assert.match(filtered.body, /Das erreicht 1 Person\./);
    const fill = { countries: ['DE', 'AT'], country_filter: '', subject_en: 'Parking', body_en: 'Gate B, {name}.' };
    const confirm = await submitForm(app, browser, findForm(filtered.body, action), fill, 'action=preview');
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<p class="segment"><strong>Empfänger:<\/strong> Bestätigte Gäste · Deutschland und Österreich<\/p>/);
    const done = await submitForm(app, browser, findForm(confirm.body, action, 'confirm'));
    assert.equal(done.statusCode, 303);
    const log = await browser.get(action);
    assert.match(log.body, /<td>Bestätigte Gäste · Deutschland und Österreich<\/td>/);
    const queued = await c.db.db.selectFrom('outbox').select('id').where('kind', '=', 'message').where('event_id', '=', event.id).execute();
    assert.equal(queued.length, 2, 'Germany and Austria, not Switzerland');
    await app.close();
  });
});
