import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { enqueueMail, outboxRow } from '../../src/mail/outbox.ts';
import { alreadyAppliedMail, verificationMail } from '../../src/mail/render.ts';
import { erasePersonalData } from '../../src/services/retention.ts';
import { declineApplication } from '../../src/services/confirmations.ts';
import { inviteUser } from '../../src/services/staff.ts';
import { dialects } from '../helpers/db.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertDrawnEvent, insertParty } from '../helpers/after-draw.ts';
import { linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { signInAsOwner, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Mail stored by reference (template + locale + params) is rendered at send time: what arrives over SMTP,
 * what is written as .eml and what organizers read at /admin/mail is the full localized mail.
 */
let seq = 0;
const id = () => `tm-${Date.now().toString(36)}-${(++seq).toString().padStart(4, '0')}`;

async function enqueue(server: TestServer, m: Parameters<typeof enqueueMail>[1]): Promise<void> {
  await enqueueMail(server.db.db, m);
  server.runtime.deps.afterCommit?.mailEnqueued();
}

for (const dialect of dialects()) {
  describe(`template mails over real SMTP [${dialect}]`, () => {
    let sink: SmtpSink;
    let server: TestServer;
    before(async () => {
      sink = await startSmtpSink();
      server = await startTestServer({ dialect, smtpUrl: sink.url });
    });
    after(async () => {
      await server?.stop();
      await sink?.close();
    });

    test('application.verify in German arrives rendered: subject, text and HTML as alternatives, the link in both', async () => {
      const url = `${server.url}/a/tmpl-de-token`;
      const params = { name: 'Erika Mustermann', eventTitle: 'Launch-Abend New York', url };
      const mailId = id();
      await enqueue(server, { id: mailId, kind: 'application.verify', to: 'erika.tmpl@example.de', now: new Date().toISOString(), template: { name: 'application.verify', locale: 'de', params } });
      const stored = await server.db.db.selectFrom('outbox').selectAll().where('id', '=', mailId).executeTakeFirstOrThrow();
      assert.equal(stored.subject, '', 'nothing rendered at enqueue time');
      assert.equal(stored.template, 'application.verify');

      const mail = await sink.waitFor((m) => m.to.includes('erika.tmpl@example.de'));
      assert.equal(mail.subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York');
      assert.match(mail.text, /^Hallo Erika Mustermann,/);
      assert.match(mail.text, /vielen Dank für Ihre Bewerbung für Launch-Abend New York/);
      assert.match(mail.html, /<html lang="de">/);
      assert.match(mail.html, /Bestätigen und Bewerbung ansehen/);
      const contentType = String((mail.headers.get('content-type') as { value?: string })?.value ?? '');
      assert.equal(contentType, 'multipart/alternative');
      assert.equal(linkIn(mail.text, '/a/'), url);
      assert.ok(mail.html.includes(`href="${url}"`));
      assert.equal(mail.messageId, `<${mailId}@admit.test>`, 'the stable Message-ID of the row');
      // Byte for byte what rendering at enqueue time produced (up to MIME line handling).
      const direct = verificationMail('de', params);
      assert.equal(mail.text.trim(), direct.text.trim());

      // Marked sent right after the SMTP answer; the subject column stays empty (rendered, not stored).
      const deadline = Date.now() + 30_000;
      let sent = await server.db.db.selectFrom('outbox').select(['status', 'subject']).where('id', '=', mailId).executeTakeFirstOrThrow();
      while (sent.status !== 'sent' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        sent = await server.db.db.selectFrom('outbox').select(['status', 'subject']).where('id', '=', mailId).executeTakeFirstOrThrow();
      }
      assert.deepEqual(sent, { status: 'sent', subject: '' });
    });

    test('application.already_applied in English; a pre-rendered row beside it still goes out as stored', async () => {
      const url = `${server.url}/a/tmpl-en-token`;
      const params = { name: 'Grace Hopper', eventTitle: 'Launch Night New York', url };
      const now = new Date().toISOString();
      // Both forms in one multi-row INSERT, as the intake batch writes them.
      await server.db.db
        .insertInto('outbox')
        .values([
          outboxRow({ id: id(), kind: 'application.already_applied', to: 'grace.tmpl@example.com', now, template: { name: 'application.already_applied', locale: 'en', params } }),
          outboxRow({ id: id(), kind: 'application.already_applied', to: 'legacy.tmpl@example.com', now, mail: alreadyAppliedMail('de', { ...params, name: 'Alt Form' }) }),
        ])
        .execute();
      server.runtime.deps.afterCommit?.mailEnqueued();

      const mail = await sink.waitFor((m) => m.to.includes('grace.tmpl@example.com'));
      assert.equal(mail.subject, 'You have already applied: Launch Night New York');
      assert.match(mail.text, /^Hello Grace Hopper,/);
      assert.match(mail.html, /<html lang="en">/);
      assert.equal(linkIn(mail.text, '/a/'), url);

      const legacy = await sink.waitFor((m) => m.to.includes('legacy.tmpl@example.com'));
      assert.match(legacy.subject, /Launch Night New York/);
      assert.match(legacy.text, /^Hallo Alt Form,/);
    });

    test('a service mail in template form (staff invitation) arrives in the chosen language', async () => {
      const { setupUrl } = await inviteUser(server.runtime.deps, 'test', { email: 'door.tmpl@example.com', role: 'door', locale: 'de' });
      const row = await server.db.db.selectFrom('outbox').select(['template', 'locale', 'subject']).where('to_address', '=', 'door.tmpl@example.com').executeTakeFirstOrThrow();
      assert.deepEqual(row, { template: 'user.setup', locale: 'de', subject: '' });
      const mail = await sink.waitFor((m) => m.to.includes('door.tmpl@example.com'));
      assert.match(mail.subject, /Passwort/);
      assert.ok(mail.text.includes(setupUrl));
      assert.match(mail.html, /<html lang="de">/);
    });

    test('a row that cannot be rendered is retried like a failed delivery, and other mail still goes out', async () => {
      const broken = id();
      const now = new Date().toISOString();
      await server.db.db
        .insertInto('outbox')
        .values({ ...outboxRow({ id: broken, kind: 'x', to: 'broken.tmpl@example.com', now, template: { name: 'user.setup', locale: 'en', params: { url: 'u' } } }), template: 'no.such.template' })
        .execute();
      await enqueue(server, { id: id(), kind: 'user.setup', to: 'after.tmpl@example.com', now, template: { name: 'user.setup', locale: 'en', params: { url: `${server.url}/setup/x` } } });
      await sink.waitFor((m) => m.to.includes('after.tmpl@example.com'));
      const deadline = Date.now() + 30_000;
      let row;
      do {
        row = await server.db.db.selectFrom('outbox').select(['status', 'attempts', 'last_error']).where('id', '=', broken).executeTakeFirstOrThrow();
        if (row.attempts > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      } while (Date.now() < deadline);
      assert.equal(row.status, 'pending', 'retried later');
      assert.ok(row.attempts >= 1);
      assert.match(row.last_error ?? '', /unknown mail template/);
      assert.ok(!sink.messages.some((m) => m.to.includes('broken.tmpl@example.com')));
    });
  });
}

describe('template mails without SMTP: .eml files and /admin/mail', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ smtpUrl: null, seedDemo: false });
  });
  after(async () => {
    await server?.stop();
  });

  test('the .eml file and the organizer view show the rendered mail; an unrenderable row shows why', async () => {
    const url = `${server.url}/a/file-token`;
    const mailId = id();
    await enqueue(server, {
      id: mailId,
      kind: 'application.verify',
      to: 'file.tmpl@example.de',
      now: new Date().toISOString(),
      template: { name: 'application.verify', locale: 'de', params: { name: 'Erika <b>Mustermann</b>', eventTitle: 'Launch-Abend New York', url } },
    });
    const file = join(server.config.dataDir, 'mail', `${mailId}.eml`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !readdirSync(join(server.config.dataDir, 'mail')).includes(`${mailId}.eml`)) await new Promise((r) => setTimeout(r, 50));
    const parsed = await simpleParser(readFileSync(file));
    assert.equal(parsed.subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York');
    assert.match(parsed.text ?? '', /^Hallo Erika <b>Mustermann<\/b>,/);
    assert.ok(typeof parsed.html === 'string' && parsed.html.includes('<html lang="de">'));
    assert.ok((parsed.html as string).includes('Erika &lt;b&gt;Mustermann&lt;/b&gt;'), 'params are escaped in HTML');

    const broken = id();
    await server.db.db
      .insertInto('outbox')
      .values({ ...outboxRow({ id: broken, kind: 'user.setup', to: 'broken.file@example.com', now: new Date().toISOString(), template: { name: 'user.setup', locale: 'en', params: { url: 'u' } } }), status: 'failed', params: null })
      .execute();

    const cookie = await signInAsOwner(server, '/admin/mail');
    const list = await fetch(`${server.url}/admin/mail?lang=en`, { headers: { cookie } });
    assert.equal(list.status, 200);
    const html = await list.text();
    assert.match(html, new RegExp(`<a href="/admin/mail/${mailId}">Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York</a>`), 'listed with the rendered subject, in the language it was sent in');
    assert.match(html, /file\.tmpl@example\.de/);
    assert.match(html, new RegExp(`<a href="/admin/mail/${broken}">user\\.setup</a>`), 'an unrenderable row is listed by its kind');

    const detail = await fetch(`${server.url}/admin/mail/${mailId}?lang=en`, { headers: { cookie } });
    assert.equal(detail.status, 200);
    const page = await detail.text();
    assert.match(page, /<h1>Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York<\/h1>/);
    assert.match(page, /Hallo Erika &lt;b&gt;Mustermann&lt;\/b&gt;,/, 'rendered text, escaped in the page');
    assert.ok(!page.includes(url), 'the status link acts for the applicant: never shown to staff (ADR 0005)');
    assert.match(page, /\[redacted\]/);

    const bad = await fetch(`${server.url}/admin/mail/${broken}?lang=en`, { headers: { cookie } });
    assert.equal(bad.status, 200);
    assert.match(await bad.text(), /This mail cannot be shown: mail template user\.setup without params/);
  });
});

forEachDialect('template mails and erasure', (ctx) => {
  test('erasing personal data removes template mails with their params (names, links)', async () => {
    const c = ctx();
    const DAY = 86_400_000;
    const { event, drawnAt } = await insertDrawnEvent(c);
    const bob = await insertParty(c, event, { status: 'offered', name: 'Bobby Tables', guests: ['Eve'], locale: 'de' });
    const di = await insertParty(c, event, { status: 'waitlisted', name: 'Di Keeps', drawPosition: 1 });
    await declineApplication(c.deps, bob.id);
    await c.db.db.insertInto('outbox').values(outboxRow({ id: 'tm-di', kind: 'draw.waitlisted', to: di.email, eventId: event.id, now: drawnAt, template: { name: 'draw.waitlisted', locale: 'en', params: { name: 'Di Keeps', eventTitle: 'E', url: 'https://x.test/a/d', position: 1 } } })).execute();

    const mails = await c.db.db.selectFrom('outbox').select(['template', 'params']).where('to_address', '=', bob.email).execute();
    assert.ok(mails.some((m) => m.template === 'application.declined' && m.params?.includes('Bobby Tables')), 'the decline mail is stored by reference, with the name in params');

    c.clock.advance(event.retentionDays * DAY);
    assert.equal(await erasePersonalData(c.deps), 1);
    const left = await c.db.db.selectFrom('outbox').select(['to_address', 'params']).where('event_id', '=', event.id).execute();
    assert.deepEqual(left.filter((m) => m.to_address === bob.email), [], 'no stored mail to the erased address');
    assert.ok(!left.some((m) => m.params?.includes('Bobby')), 'the name is in no params any more');
    assert.ok(left.some((m) => m.to_address === di.email && m.params?.includes('Di Keeps')), 'mail of people still waiting is kept');
  });
});
