import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { OutboxSender, smtpTransport } from '../../src/mail/sender.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { createMessage } from '../../src/services/messages.ts';
import { suppressAddress } from '../../src/mail/suppression.ts';

const rowsOf = (body: string) =>
  [...(body.match(/<section class="application-mails"[^]*?<\/section>/)?.[0] ?? '').matchAll(/<tr class="mail-(\w+)"><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
    m[2],
    m[3],
    m[4],
  ]);

/**
 * The application's page lists every mail the outbox holds for its addresses (issue 13): the applicant's and its
 * guests' own, of every kind, with the kind in words, the date and the state — never a body or a link.
 */
forEachDialect('mails of an application', (ctx) => {
  test('every kind, applicant and guest, sent / pending / bounced / suppressed, in English and German; nothing of another party; team only', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ capacity: 10 });
    const other = await c.makeEvent({ capacity: 10 });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada Lovelace', guests: ['Charles Babbage'], email: `ada-${c.dialect}@example.com` });
    const neighbour = await insertParty(c, event, { status: 'offered', name: 'Grace Hopper' });
    await confirmApplication(c.deps, p.id, { guestEmails: { 0: `charles-${c.dialect}@example.org` } });
    await confirmApplication(c.deps, neighbour.id);

    // Delivered over real SMTP; then a message that one address bounced and another one that is suppressed.
    const sink = await startSmtpSink();
    try {
      const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>'), instanceId: 'am-test' });
      await sender.drain();
      await sender.stop();
    } finally {
      await sink.close();
    }
    const owner = await makeStaff(c, 'owner');
    await createMessage(c.deps, owner.id, event.id, { segment: { audience: 'confirmed', countries: [], group: null, categories: [] }, content: { en: { subject: 'Parking', body: 'Gate B, {name}.' } }, sendAt: null });
    await c.db.db.updateTable('outbox').set({ status: 'sent', sent_at: c.clock.now().toISOString(), bounced_at: c.clock.now().toISOString() }).where('kind', '=', 'application.confirmed').where('to_address', '=', p.email).execute();
    await suppressAddress(c.db.db, `charles-${c.dialect}@example.org`, '', 'bounce', '5.1.1', c.clock.now().toISOString());
    await c.db.db.updateTable('outbox').set({ status: 'suppressed' }).where('kind', '=', 'ticket.guest').execute();
    // The same address's mail for another event is not this application's.
    await c.db.db.insertInto('outbox').values({ id: '01zzzzzzzzzzzzzzzzzzzzzzzz', kind: 'offer.draw', to_address: p.email, subject: 'x', text_body: 'x', html_body: 'x', template: null, locale: null, params: null, attachments: null, status: 'sent', attempts: 1, next_attempt_at: c.clock.now().toISOString(), locked_until: null, locked_by: null, last_error: null, created_at: c.clock.now().toISOString(), sent_at: c.clock.now().toISOString(), event_id: other.id }).execute();

    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'reviewer', { events: [event.id] }));
    const page = await browser.get(`/admin/applications/${p.id}`);
    assert.equal(page.statusCode, 200);
    assert.deepEqual(rowsOf(page.body), [
      ['Message from the organizer', 'Applicant', 'Pending'],
      ['Guest&#39;s own ticket', 'Guest (own address)', 'Not sent (address suppressed)'],
      ['Place confirmed, tickets', 'Applicant', 'Bounced'],
    ]);
    const section = page.body.match(/<section class="application-mails"[^]*?<\/section>/)![0];
    assert.doesNotMatch(section, /\/a\/|\/t\/|charles-|@/, 'no links, no addresses');

    browser.cookies.set('admit_lang', 'de');
    const german = await browser.get(`/admin/applications/${p.id}`);
    assert.deepEqual(rowsOf(german.body), [
      ['Nachricht des Veranstalters', 'Bewerber/in', 'Ausstehend'],
      ['Eigenes Ticket des Gastes', 'Gast (eigene Adresse)', 'Nicht gesendet (Adresse gesperrt)'],
      ['Platz bestätigt, Tickets', 'Bewerber/in', 'Unzustellbar'],
    ]);

    // Someone else's application lists only its own mail.
    const theirs = await browser.get(`/admin/applications/${neighbour.id}`);
    assert.deepEqual(rowsOf(theirs.body).map((r) => r[0]), ['Nachricht des Veranstalters', 'Platz bestätigt, Tickets']);

    // Least privilege: the page (and its mail list) is the application's — a reviewer of another event sees neither.
    const { browser: outsider } = await sessionBrowser(app, c, await makeStaff(c, 'reviewer', { events: [other.id] }));
    const refused = await outsider.get(`/admin/applications/${p.id}`);
    assert.equal(refused.statusCode, 403);
    assert.doesNotMatch(refused.body, /application-mails/);
    await app.close();
  });
});

test('every outbox kind an application can receive has a name in the catalogues', async () => {
  const { translator } = await import('../../src/i18n/index.ts');
  const { mailKindLabel } = await import('../../src/http/views/admin/messages.ts');
  const kinds = ['application.verify', 'application.already_applied', 'application.confirmed', 'application.declined', 'application.withdrawn', 'application.rejected', 'offer.invite', 'offer.review', 'offer.draw', 'offer.waitlist', 'offer.reminder', 'offer.expired', 'offer.extended', 'draw.waitlisted', 'event.revealed', 'event.details_updated', 'event.reminder', 'event.thanks', 'ticket.guest', 'message', 'something.new'];
  for (const locale of ['en', 'de'] as const) {
    const labels = kinds.map((k) => mailKindLabel(translator(locale), k));
    assert.ok(labels.every((l) => !l.startsWith('messages.')), labels.join(' | '));
    assert.equal(new Set(labels).size, labels.length, 'each kind its own name');
  }
});
