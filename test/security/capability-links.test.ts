import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { createUser } from '../../src/services/users.ts';
import { inviteUser } from '../../src/services/staff.ts';
import { submitApplication } from '../../src/services/applications.ts';
import { fileTransport, OutboxSender, type MailTransport } from '../../src/mail/sender.ts';
import { mailDir } from '../../src/mail/files.ts';
import { outboxRow } from '../../src/mail/outbox.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { redactCapabilityParams } from '../../src/mail/capability-links.ts';
import { eraseCapabilityLinksOfSentMail } from '../../src/db/migrations/015-security.ts';

// Finding 1: capability links (status, offer, ticket, setup) are never readable by staff: not in the mail viewer
// (pending or sent), not in the outbox once the mail is handed over, not after a mail is given up on.
const PASSWORD = 'correct horse battery';
const tokenOf = (url: string) => url.match(/\/(?:a|setup)\/([A-Za-z0-9_-]+)/)![1];

async function signIn(app: Awaited<ReturnType<typeof buildTestApp>>, email: string): Promise<Browser> {
  const b = new Browser(app);
  const page = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfFrom(page.body), email, password: PASSWORD, next: '/admin/mail' });
  assert.equal(res.statusCode, 303);
  return b;
}

/** A verification mail (status link) and an owner invitation (setup link), both still pending. */
let n = 0;
async function mailsWithLinks(c: TestContext) {
  const event = await c.makeEvent();
  const k = ++n;
  await submitApplication(c.deps, event.slug, { name: 'Erika Mustermann', email: `erika${k}@example.de`, country: 'DE', locale: 'en', consent: true, answers: { why: 'x' }, guests: [] });
  const verify = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.verify').where('to_address', '=', `erika${k}@example.de`).executeTakeFirstOrThrow();
  const statusUrl = (JSON.parse(verify.params!) as { url: string }).url;
  const owner = await createUser(c.deps, 'test', { email: `owner-${k}@admit.test`, role: 'owner', password: PASSWORD });
  const { setupUrl } = await inviteUser(c.deps, owner.id, { email: `new-owner${k}@example.com`, role: 'owner', locale: 'en' });
  const setup = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'user.setup').where('to_address', '=', `new-owner${k}@example.com`).executeTakeFirstOrThrow();
  return { verify, setup, secrets: [tokenOf(statusUrl), tokenOf(setupUrl)] };
}

function assertNoSecrets(text: string, secrets: string[], where: string) {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} contains a capability token`);
}

forEachDialect('capability links (finding 1)', (ctx) => {
  test('an admin reading /admin/mail sees neither status nor setup links, before or after sending', async () => {
    const c = ctx();
    const { verify, setup, secrets } = await mailsWithLinks(c);
    await createUser(c.deps, 'test', { email: `admin-${c.dialect}@admit.test`, role: 'admin', password: PASSWORD });
    const app = await buildTestApp(c);
    try {
      const admin = await signIn(app, `admin-${c.dialect}@admit.test`);
      const check = async (phase: string) => {
        const list = await admin.get('/admin/mail');
        assert.equal(list.statusCode, 200);
        assertNoSecrets(list.body, secrets, `${phase}: the list`);
        for (const id of [verify.id, setup.id]) {
          const detail = await admin.get(`/admin/mail/${id}?lang=en`);
          assert.equal(detail.statusCode, 200);
          assertNoSecrets(detail.body, secrets, `${phase}: mail ${id}`);
          assert.match(detail.body, /\/(a|setup)\/\[redacted\]/, 'where the link was is visible');
          assert.match(detail.body, /Links that act for the recipient/);
        }
        const de = await admin.get(`/admin/mail/${setup.id}?lang=de`);
        assert.match(de.body, /werden hier nie angezeigt/);
      };
      await check('pending');
      const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: fileTransport(mailDir(c.db.dataDir), 'Admit <a@admit.test>'), instanceId: 't' });
      await sender.drain();
      await check('sent');
    } finally {
      await app.close();
    }
  });

  test('once sent, the outbox keeps no token; the delivered .eml (the recipient’s copy) has the working link', async () => {
    const c = ctx();
    const { verify, setup, secrets } = await mailsWithLinks(c);
    const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: fileTransport(mailDir(c.db.dataDir), 'Admit <a@admit.test>'), instanceId: 't' });
    await sender.drain();
    const rows = await c.db.db.selectFrom('outbox').selectAll().where('id', 'in', [verify.id, setup.id]).execute();
    for (const row of rows) {
      assert.equal(row.status, 'sent');
      assertNoSecrets(JSON.stringify(row), secrets, `outbox row ${row.kind}`);
      assert.match(withRenderedMail(row).text_body, /\/(a|setup)\/\[redacted\]/, 'still renders, with the marker');
      assert.match(row.params!, /Erika Mustermann|\[redacted\]/);
    }
    const eml = readFileSync(join(mailDir(c.db.dataDir), `${verify.id}.eml`), 'utf8');
    assert.ok(eml.includes(secrets[0]), 'the delivered mail carries the link');
  });

  test('a mail given up on loses its token; a retry keeps it until then', async () => {
    const c = ctx();
    const { setup, secrets } = await mailsWithLinks(c);
    const failing: MailTransport = { send: async () => { throw new Error('550 mailbox unavailable'); }, close: () => {} };
    const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: failing, instanceId: 't', maxAttempts: 2 });
    await sender.drain();
    const retrying = await c.db.db.selectFrom('outbox').selectAll().where('id', '=', setup.id).executeTakeFirstOrThrow();
    assert.equal(retrying.status, 'pending');
    assert.ok(retrying.params!.includes(secrets[1]), 'still needed for the retry');
    c.clock.advance(3_600_000);
    await sender.drain();
    const failed = await c.db.db.selectFrom('outbox').selectAll().where('id', '=', setup.id).executeTakeFirstOrThrow();
    assert.equal(failed.status, 'failed');
    assertNoSecrets(JSON.stringify(failed), secrets, 'failed row');
  });

  test('migration 015 erases the links of mails sent before this version, pre-rendered ones included', async () => {
    const c = ctx();
    const token = 'T0kenT0kenT0kenT0kenT0kenT0';
    const now = c.clock.now().toISOString();
    await c.db.db
      .insertInto('outbox')
      .values([
        { ...outboxRow({ id: 'old-1', kind: 'offer', to: 'a@example.com', now, template: { name: 'draw.waitlisted', locale: 'en', params: { name: 'A', eventTitle: 'E', url: `https://x.test/a/${token}`, position: 3 } } }), status: 'sent' },
        { ...outboxRow({ id: 'old-2', kind: 'legacy', to: 'b@example.com', now, mail: { subject: 's', text: `Go: https://x.test/a/${token}/tickets`, html: `<a href="https://x.test/a/${token}">x</a>` } }), status: 'sent' },
        { ...outboxRow({ id: 'old-3', kind: 'pending', to: 'c@example.com', now, template: { name: 'user.setup', locale: 'en', params: { url: `https://x.test/setup/${token}` } } }) },
      ])
      .execute();
    await eraseCapabilityLinksOfSentMail(c.db.db);
    const rows = await c.db.db.selectFrom('outbox').selectAll().where('id', 'in', ['old-1', 'old-2', 'old-3']).orderBy('id').execute();
    assertNoSecrets(JSON.stringify(rows[0]), [token], 'sent template row');
    assertNoSecrets(JSON.stringify(rows[1]), [token], 'sent pre-rendered row');
    assert.match(rows[1].text_body, /https:\/\/x\.test\/a\/\[redacted\]\/tickets/);
    assert.ok(rows[2].params!.includes(token), 'a pending mail still needs its link');
  });
});

test('redactCapabilityParams: declared link params lose the token, or their whole value if not one of our links', () => {
  assert.equal(redactCapabilityParams('user.setup', JSON.stringify({ url: 'https://x.test/setup/abcdefghijklmnopqrstuvwxyz0' })), '{"url":"https://x.test/setup/[redacted]"}');
  assert.equal(redactCapabilityParams('user.setup', JSON.stringify({ url: 'u' })), '{"url":"[redacted]"}');
  assert.equal(redactCapabilityParams('application.withdrawn', JSON.stringify({ name: 'N', eventTitle: 'E' })), '{"name":"N","eventTitle":"E"}');
  assert.equal(redactCapabilityParams('event.reveal', JSON.stringify({ ticketsUrl: 'https://x.test/a/abcdefghijklmnopqrstuvwxyz0/tickets', details: { mapUrl: 'https://maps.example/a/b' } })),
    '{"ticketsUrl":"https://x.test/a/[redacted]/tickets","details":{"mapUrl":"https://maps.example/a/b"}}');
  assert.equal(redactCapabilityParams('offer', 'not json'), 'not json');
  assert.equal(redactCapabilityParams(null, null), null);
});
