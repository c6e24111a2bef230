import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { OutboxSender, smtpTransport } from '../../src/mail/sender.ts';
import { startBounceListener, parseDeliveryStatus, isHardBounce } from '../../src/mail/bounces.ts';
import { createMessage } from '../../src/services/messages.ts';
import { outboxRow } from '../../src/mail/outbox.ts';
import { nextId } from '../../src/services/ids.ts';

/** An RFC 3464 delivery status notification as a receiving MTA would send it. */
function dsn(recipient: string, status: string, action = 'failed'): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    'To: bounces@admit.test',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
    '',
    '--BOUNDARY',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net. Your message could not be delivered.',
    '',
    '--BOUNDARY',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'Arrival-Date: Tue, 1 Dec 2026 03:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822;${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    'Diagnostic-Code: smtp; 550 5.1.1 <' + recipient + '>: Recipient address rejected:',
    ' User unknown in virtual mailbox table',
    '',
    '--BOUNDARY',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: Parking',
    '',
    '--BOUNDARY--',
    '',
  ].join('\r\n');
}

test('RFC 3464: per-recipient fields, folded lines, hard vs. delayed', () => {
  const r = parseDeliveryStatus('Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550\n  user unknown\n');
  assert.deepEqual(r, [{ finalRecipient: 'x@y.test', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 user unknown' }]);
  assert.ok(isHardBounce(r[0]));
  assert.ok(!isHardBounce({ ...r[0], action: 'delayed', status: '4.4.1' }));
});

forEachDialect('bounces, suppression and unsubscribe', (ctx) => {
  test('a DSN to the listener suppresses the address, shows on the organizer page, and later mail to it is not sent', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'bounce-event' });
    const gone = await insertParty(c, event, { status: 'offered', name: 'Gone Person' });
    const fine = await insertParty(c, event, { status: 'offered', name: 'Fine Person' });
    const sink = await startSmtpSink();
    const listener = await startBounceListener({ db: c.db.db, clock: c.clock, port: 0, host: '127.0.0.1' });
    try {
      const owner = await makeStaff(c, 'owner');
      await createMessage(c.deps, owner.id, event.id, { segment: { audience: 'offered', countries: [], group: null, categories: [] }, content: { en: { subject: 'Hi', body: 'Hi {name}' } }, sendAt: null });
      const send = () => {
        const s = new OutboxSender({ db: c.db.db, clock: c.clock, transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>', { bounceDomain: 'admit.test' }), instanceId: `b-${Math.random()}` });
        return s.drain().finally(() => s.stop());
      };
      await send();
      const first = sink.messages.find((m) => m.to[0] === gone.email)!;
      assert.match(first.from, /^bounces\+[0-9a-z]{26}@admit\.test$/, 'VERP envelope sender');

      // The receiving MTA bounces it to the address in the envelope.
      const mta = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
      await mta.sendMail({ envelope: { from: '', to: [first.from] }, raw: dsn(gone.email, '5.1.1') });
      // A delay report changes nothing.
      const other = sink.messages.find((m) => m.to[0] === fine.email)!;
      await mta.sendMail({ envelope: { from: '', to: [other.from] }, raw: dsn(fine.email, '4.4.1', 'delayed') });
      // Mail to anything but a bounce address is refused: the listener relays nothing.
      await assert.rejects(mta.sendMail({ envelope: { from: 'x@y.test', to: ['someone@admit.test'] }, raw: 'Subject: x\r\n\r\nx' }));
      mta.close();

      const sup = await c.db.db.selectFrom('mail_suppressions').selectAll().execute();
      assert.deepEqual(sup.map((s) => [s.email_normalized, s.scope, s.reason]).filter(([e]) => e === gone.email || e === fine.email), [[gone.email, '', 'bounce']]);

      // The organizer sees who could not be reached, the offered party flagged with its deadline; the log counts the bounce.
      const { browser } = await sessionBrowser(app, c, owner);
      const page = await browser.get(`/admin/events/${event.id}/messages`);
      assert.match(page.body, /Could not be reached/);
      assert.match(page.body, /Gone Person/);
      assert.ok(!page.body.includes('Fine Person'));
      assert.match(page.body, /Deadline .*: contact them another way/);
      const detail = await browser.get(`/admin/applications/${gone.id}`);
      assert.match(detail.body, /Bounced/);

      // A later mail — even one the person needs — is not sent to a bounced address, and recorded as suppressed.
      await c.db.db.insertInto('outbox').values(outboxRow({ id: nextId(c.deps), kind: 'application.withdrawn', to: gone.email, eventId: event.id, now: c.clock.now().toISOString(), template: { name: 'application.withdrawn', locale: 'en', params: { name: 'x', eventTitle: 'y' } } })).execute();
      const before = sink.messages.length;
      await send();
      assert.equal(sink.messages.length, before);
      const rows = await c.db.db.selectFrom('outbox').select('status').where('to_address', '=', gone.email).where('kind', '=', 'application.withdrawn').execute();
      assert.deepEqual(rows.map((r) => r.status), ['suppressed']);
    } finally {
      await listener.close();
      await sink.close();
      await app.close();
    }
  });

  test('an SMTP 5xx to RCPT TO at send time is a hard bounce: no retry, address suppressed', async () => {
    const c = ctx();
    const event = await c.makeEvent({ slug: 'reject-event' });
    const p = await insertParty(c, event, { status: 'confirmed' });
    const { SMTPServer } = await import('smtp-server');
    const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 })) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.server.address() as { port: number }).port;
      await c.db.db.insertInto('outbox').values(outboxRow({ id: nextId(c.deps), kind: 'application.withdrawn', to: p.email, eventId: event.id, now: c.clock.now().toISOString(), template: { name: 'application.withdrawn', locale: 'en', params: { name: 'x', eventTitle: 'y' } } })).execute();
      const s = new OutboxSender({ db: c.db.db, clock: c.clock, transport: smtpTransport(`smtp://127.0.0.1:${port}`, 'Admit <no-reply@admit.test>'), instanceId: 'rej' });
      await s.drain();
      await s.stop();
      const row = await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', p.email).executeTakeFirstOrThrow();
      assert.equal(row.status, 'failed');
      assert.ok(row.bounced_at);
      const sup = await c.db.db.selectFrom('mail_suppressions').selectAll().where('email_normalized', '=', p.email).execute();
      assert.equal(sup[0]?.reason, 'bounce');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('one-click unsubscribe: one POST without login stops organizer messages for that event, not the mails a person needs', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'unsub-event' });
    const p = await insertParty(c, event, { status: 'confirmed' });
    const owner = await makeStaff(c, 'owner');
    const msg = { segment: { audience: 'confirmed' as const, countries: [], group: null, categories: [] }, content: { en: { subject: 'Hi', body: 'Hi {name}' } }, sendAt: null };
    await createMessage(c.deps, owner.id, event.id, msg);
    const row = await c.db.db.selectFrom('outbox').select('params').where('to_address', '=', p.email).where('kind', '=', 'message').executeTakeFirstOrThrow();
    const url = new URL(JSON.parse(row.params!).unsubscribeUrl as string);

    // The RFC 8058 POST a mail client sends: no cookie, no CSRF token.
    const oneClick = await app.inject({ method: 'POST', url: url.pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.statusCode, 200);
    const sup = await c.db.db.selectFrom('mail_suppressions').selectAll().where('email_normalized', '=', p.email).execute();
    assert.deepEqual(sup.map((s) => [s.scope, s.reason]), [[event.id, 'unsubscribe']]);

    // The page's own form posts the same (parsed and submitted as rendered); a GET changes nothing, a forged token is 404.
    const p2 = await insertParty(c, event, { status: 'confirmed' });
    await createMessage(c.deps, owner.id, event.id, msg);
    const row2 = await c.db.db.selectFrom('outbox').select('params').where('to_address', '=', p2.email).where('kind', '=', 'message').executeTakeFirstOrThrow();
    const path2 = new URL(JSON.parse(row2.params!).unsubscribeUrl as string).pathname;
    const { Browser } = await import('../helpers/http.ts');
    const browser = new Browser(app);
    const page = await browser.get(path2);
    assert.equal(page.statusCode, 200);
    assert.equal((await c.db.db.selectFrom('mail_suppressions').select('scope').where('email_normalized', '=', p2.email).execute()).length, 0);
    const done = await submitForm(app, browser, findForm(page.body, path2));
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /no more messages/);
    assert.equal((await app.inject({ method: 'POST', url: `${path2.slice(0, -3)}AAA` })).statusCode, 404);

    // Later: the next organizer message skips p, the mail p needs still goes.
    await createMessage(c.deps, owner.id, event.id, msg);
    await c.db.db.insertInto('outbox').values(outboxRow({ id: nextId(c.deps), kind: 'application.withdrawn', to: p.email, eventId: event.id, now: c.clock.now().toISOString(), template: { name: 'application.withdrawn', locale: 'en', params: { name: 'x', eventTitle: 'y' } } })).execute();
    const sink = await startSmtpSink();
    try {
      const s = new OutboxSender({ db: c.db.db, clock: c.clock, transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>'), instanceId: 'unsub' });
      await s.drain();
      await s.stop();
      const toP = sink.messages.filter((m) => m.to[0] === p.email);
      assert.equal(toP.filter((m) => m.subject === 'Hi').length, 0, 'honoured at once: even the message queued before the unsubscribe is not sent');
      assert.ok(toP.some((m) => m.subject !== 'Hi'), 'the mail the person needs still goes');
      assert.ok(!toP.some((m) => m.raw.toString().includes('List-Unsubscribe: ') && m.subject !== 'Hi'), 'needed mails carry no unsubscribe');
      const states = await c.db.db.selectFrom('outbox').select('status').where('to_address', '=', p.email).where('kind', '=', 'message').execute();
      assert.deepEqual(states.map((x) => x.status), ['suppressed', 'suppressed', 'suppressed'], 'all three messages to p');
    } finally {
      await sink.close();
      await app.close();
    }
  });
});
