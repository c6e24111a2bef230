import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { dialects } from '../helpers/db.ts';
import { parseForm } from '../helpers/form-record.ts';
import { linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { signInAsOwner, startTestServer, type TestServer } from '../helpers/server.ts';

const application = (email: string, over: object = {}) => ({
  name: 'Erika Mustermann',
  email,
  country: 'DE',
  locale: 'de',
  consent: true,
  answers: { why: 'Weil ich die Produkte liebe' },
  guests: [{ name: 'Max', relation: 'family' }],
  ...over,
});

async function apply(server: TestServer, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/v1/events/launch-nyc/applications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string } } };
}

for (const dialect of dialects()) {
  describe(`verification mail over real SMTP [${dialect}]`, () => {
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

    test('a German applicant gets a German multipart mail whose link verifies the application with one button', async () => {
      const res = await apply(server, application('erika@example.de'), { 'accept-language': 'de' });
      assert.equal(res.status, 202);

      // The first mail also waits for the sender thread to start: generous on a busy machine.
      const mail = await sink.waitFor((m) => m.to.includes('erika@example.de'), 30_000);
      assert.equal(mail.subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York');
      assert.match(mail.text, /^Hallo Erika Mustermann,/);
      assert.match(mail.text, /vielen Dank für Ihre Bewerbung für Launch-Abend New York/);
      assert.match(mail.html, /<html lang="de">/);
      assert.match(mail.html, /Bestätigen und Bewerbung ansehen/);
      assert.match(mail.from, /no-reply@admit\.test/);
      const contentType = String((mail.headers.get('content-type') as { value?: string })?.value ?? '');
      assert.equal(contentType, 'multipart/alternative', 'text and HTML as alternatives');

      const link = linkIn(mail.text, '/a/');
      assert.ok(link.startsWith(`${server.url}/a/`), `link points at the running server: ${link}`);
      assert.ok(mail.html.includes(`href="${link}"`), 'the HTML part carries the same link');

      const before = await server.db.db.selectFrom('applications').select(['verified']).where('email', '=', 'erika@example.de').executeTakeFirstOrThrow();
      assert.equal(before.verified, 0);

      // Opening the link (a mail scanner does that too) verifies nothing; the page's button does.
      const page = await fetch(link, { headers: { 'accept-language': 'en' } });
      assert.equal(page.status, 200);
      const confirmPage = await page.text();
      assert.match(confirmPage, /<html lang="de"/, 'in the language of the application');
      const stillUnverified = await server.db.db.selectFrom('applications').select(['verified']).where('email', '=', 'erika@example.de').executeTakeFirstOrThrow();
      assert.equal(stillUnverified.verified, 0);
      const form = parseForm(confirmPage, /\/verify$/);
      const cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
      const posted = await fetch(new URL(form.action, server.url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form.fields).toString(),
      });
      assert.equal(posted.status, 303);
      const status = await fetch(new URL(posted.headers.get('location')!, server.url), { headers: { cookie } });
      const body = await status.text();
      assert.match(body, /Ihre E-Mail-Adresse ist bestätigt/);
      assert.match(body, /Erika Mustermann/);

      const row = await server.db.db
        .selectFrom('applications')
        .select(['verified', 'verified_at'])
        .where('email', '=', 'erika@example.de')
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.verified), 1);
      assert.ok(row.verified_at);
    });

    test('applying again with the same address mails "already applied" (in the language just used), no second row', async () => {
      const res = await apply(server, application('Erika@Example.de', { locale: 'en' }));
      assert.equal(res.status, 202);
      const mail = await sink.waitFor((m) => m.to.includes('erika@example.de') && m.subject.startsWith('You have already applied'));
      assert.match(mail.text, new RegExp(`${server.url}/a/`));
      const n = await server.db.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('email_normalized', '=', 'erika@example.de').executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 1);
    });

    test('an English applicant gets an English mail', async () => {
      const res = await apply(server, application('grace@example.com', { name: 'Grace Hopper', locale: 'en', country: 'US' }));
      assert.equal(res.status, 202);
      const mail = await sink.waitFor((m) => m.to.includes('grace@example.com'));
      assert.match(mail.subject, /Launch Night New York/);
      assert.match(mail.text, /^Hello Grace Hopper,/);
    });
  });
}

describe('file transport when SMTP_URL is unset', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ smtpUrl: null });
  });
  after(async () => {
    await server?.stop();
  });

  test('mail is written as .eml into <data>/mail and listed at /admin/mail', async () => {
    const res = await apply(server, application('file@example.de'));
    assert.equal(res.status, 202);

    // The sender marks a mail sent only after its file is written completely (a file seen earlier may be half written).
    const dir = join(server.config.dataDir, 'mail');
    const deadline = Date.now() + 60_000;
    const sent = () => server.db.db.selectFrom('outbox').select('status').where('to_address', '=', 'file@example.de').where('status', '=', 'sent').executeTakeFirst();
    while (Date.now() < deadline && !(await sent())) await new Promise((r) => setTimeout(r, 50));
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    assert.equal(files.length, 1, 'one .eml file');
    const parsed = await simpleParser(readFileSync(join(dir, files[0])));
    assert.equal(parsed.subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York');
    assert.match(parsed.text ?? '', new RegExp(`${server.url}/a/`));
    assert.ok(typeof parsed.html === 'string' && parsed.html.includes('<html lang="de">'));

    // Sign in as an owner like a browser would: CSRF token + cookies from the login page.
    const cookie = await signInAsOwner(server, '/admin/mail');

    const list = await fetch(`${server.url}/admin/mail?lang=de`, { headers: { cookie } });
    assert.equal(list.status, 200);
    const html = await list.text();
    assert.match(html, /Gesendete E-Mails/);
    assert.match(html, /Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend New York/);
    assert.match(html, /file@example\.de/);
    assert.match(html, /Gesendet/, 'status sent');
    const id = files[0].replace(/\.eml$/, '');
    assert.ok(html.includes(`/admin/mail/${id}`), 'the listed mail is the file on disk');

    const detail = await fetch(`${server.url}/admin/mail/${id}`, { headers: { cookie } });
    assert.equal(detail.status, 200);
    assert.match(await detail.text(), /Hallo Erika Mustermann,/);
  });
});
