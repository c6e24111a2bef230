import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import {
  editApplication,
  findApplicationByToken,
  purgeUnverifiedApplications,
  submitApplication,
  verifyApplication,
  withdrawApplication,
} from '../../src/services/applications.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { forEachDialect } from '../helpers/context.ts';
import { hashToken } from '../../src/platform/random.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const input = (email: string, over: object = {}) => ({
  name: 'Ada Lovelace',
  email,
  country: 'US',
  locale: 'de',
  consent: true,
  answers: { why: 'I love launches' },
  guests: [{ name: 'Charles', relation: 'friend' }],
  ...over,
});

/** The token is only ever in the mail: read it from the outbox like an applicant would. */
async function tokenFromMail(ctx: ReturnType<Parameters<Parameters<typeof forEachDialect>[1]>[0]>, to: string): Promise<string> {
  const rows = await ctx.db.db.selectFrom('outbox').selectAll().where('to_address', '=', to).orderBy('id', 'desc').execute();
  const m = (rows[0] && withRenderedMail(rows[0]))?.text_body.match(/\/a\/([A-Za-z0-9_-]+)/);
  assert.ok(m, `no link in mail to ${to}`);
  return m[1];
}

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

forEachDialect('applications', (ctx) => {
  test('submit stores the party, mails a verification link in the applicant language, audits', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const r = await submitApplication(c.deps, event.slug, input('ada@example.com'));
    assert.equal(r.status, 'pending_verification');
    const row = await c.db.db.selectFrom('applications').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(row.party_size, 2);
    assert.equal(row.verified, 0);
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'ada@example.com').executeTakeFirstOrThrow());
    assert.match(mail.subject, /Bitte bestätigen Sie Ihre Bewerbung/);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', r.id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['application.submitted']);
  });

  test('the same address again (any case, gmail dots) creates nothing new and mails "already applied"', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const first = await submitApplication(c.deps, event.slug, input('first.last@gmail.com'));
    const second = await submitApplication(c.deps, event.slug, input('FirstLast+x@gmail.com', { name: 'Someone Else' }));
    assert.equal(second.status, first.status);
    assert.notEqual(second.id, first.id);
    const n = await c.db.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
    const mails = await c.db.db.selectFrom('outbox').select(['kind', 'to_address']).where('event_id', '=', event.id).orderBy('id').execute();
    assert.deepEqual(mails.map((m) => m.kind), ['application.verify', 'application.already_applied']);
    assert.equal(mails[1].to_address, 'first.last@gmail.com');
    // the link in the second mail opens the existing application
    const token = await tokenFromMail(c, 'first.last@gmail.com');
    assert.equal((await findApplicationByToken(c.deps, token)).id, first.id);
  });

  test('verification via the mailed token, then edit and withdraw', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await submitApplication(c.deps, event.slug, input('v@example.com'));
    const token = await tokenFromMail(c, 'v@example.com');
    const verified = await verifyApplication(c.deps, token);
    assert.equal(verified.verified, true);
    await verifyApplication(c.deps, token); // idempotent
    // The edit form has no consent box: the consent given when applying carries over.
    const edited = await editApplication(c.deps, token, input('ignored@example.com', { guests: [], country: 'DE', consent: undefined }));
    assert.equal(edited.partySize, 1);
    assert.equal(edited.email, 'v@example.com', 'email cannot change');
    const w = await withdrawApplication(c.deps, token);
    assert.equal(w.status, 'withdrawn');
    await assert.rejects(editApplication(c.deps, token, input('v@example.com')), rejects('application.withdrawn'));
    const actions = (await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', verified.id).orderBy('id').execute()).map((a) => a.action);
    assert.deepEqual(actions, ['application.submitted', 'application.verified', 'application.edited', 'application.withdrawn']);
  });

  test('status links are split tokens <id>-<secret>: the row keeps the id and a hash of the secret, checked after a primary-key read', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const r = await submitApplication(c.deps, event.slug, input('split@example.com'));
    const token = await tokenFromMail(c, 'split@example.com');
    assert.match(token, /^[0-9a-z]{26}-[A-Za-z0-9_-]{27}$/);
    const [id, secret] = [token.slice(0, 26), token.slice(27)];
    assert.equal(id, r.id, 'the id part is the application');
    const row = await c.db.db.selectFrom('applications').select('token_hash').where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.ok(row.token_hash.startsWith(`${r.id}.`), 'the unique column sorts by the time-ordered id');
    assert.ok(!row.token_hash.includes(secret), 'only a hash of the secret is stored');
    assert.equal((await findApplicationByToken(c.deps, token)).id, r.id);
    // Another secret, a changed character, or a secret moved to another application's id: not found.
    const other = await submitApplication(c.deps, event.slug, input('split2@example.com'));
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    for (const bad of [`${id}-${flip(secret)}`, `${other.id}-${secret}`, `${id}-${secret.slice(1)}`, `${id}.${secret}`]) {
      await assert.rejects(findApplicationByToken(c.deps, bad), rejects('application.not_found'), bad);
    }
    // The link of a repeat ("already applied") is split too, with its own id, and opens the existing application.
    await submitApplication(c.deps, event.slug, input('SPLIT@example.com'));
    const again = await tokenFromMail(c, 'split@example.com');
    assert.notEqual(again, token);
    assert.match(again, /^[0-9a-z]{26}-[A-Za-z0-9_-]{27}$/);
    assert.equal((await findApplicationByToken(c.deps, again)).id, r.id);
    await assert.rejects(findApplicationByToken(c.deps, `${again.slice(0, 27)}${flip(again.slice(27))}`), rejects('application.not_found'));
  });

  test('tokens from before split tokens (no id part) keep working, on the row and as extra links', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const r = await submitApplication(c.deps, event.slug, input('old@example.com'));
    // As earlier versions stored them: SHA-256 (hex) of a 27-character token, on the row and in application_links.
    const rowToken = 'Abcdefghijklmnopqrstuvwxyz0';
    const linkToken = 'Zyxwvutsrqponmlkjihgfedcba9';
    await c.db.db.updateTable('applications').set({ token_hash: hashToken(rowToken) }).where('id', '=', r.id).execute();
    await c.db.db.insertInto('application_links').values({ token_hash: hashToken(linkToken), application_id: r.id, created_at: new Date().toISOString() }).execute();
    assert.equal((await findApplicationByToken(c.deps, rowToken)).id, r.id);
    assert.equal((await findApplicationByToken(c.deps, linkToken)).id, r.id);
    assert.equal((await verifyApplication(c.deps, rowToken)).verified, true);
    await assert.rejects(findApplicationByToken(c.deps, 'Abcdefghijklmnopqrstuvwxyz1'), rejects('application.not_found'));
  });

  test('closed, not yet open and unknown events are refused with their codes', async () => {
    const c = ctx();
    const later = await c.makeEvent({ applicationsOpenAt: '2026-12-01T00:00:00.000Z', applicationsCloseAt: '2026-12-10T00:00:00.000Z' });
    await assert.rejects(submitApplication(c.deps, later.slug, input('a@example.com')), rejects('event.not_open'));
    const open = await c.makeEvent();
    await changeEventStatus(c.deps, 'test', open.id, 'closed');
    await assert.rejects(submitApplication(c.deps, open.slug, input('a@example.com')), rejects('event.closed'));
    await assert.rejects(submitApplication(c.deps, 'nope', input('a@example.com')), rejects('event.not_found'));
    const draft = await c.makeEvent({ status: 'draft' });
    await assert.rejects(submitApplication(c.deps, draft.slug, input('a@example.com')), rejects('event.not_found'));
  });

  test('invalid input is refused with field codes and nothing is written', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await assert.rejects(submitApplication(c.deps, event.slug, input('not-an-email')), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.deepEqual(err.fields.map((f) => f.field), ['email']);
      return true;
    });
    const n = await c.db.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 0);
  });

  test('unverified applications are purged after the retention time; verified ones stay', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await submitApplication(c.deps, event.slug, input('keep@example.com'));
    await submitApplication(c.deps, event.slug, input('drop@example.com'));
    await verifyApplication(c.deps, await tokenFromMail(c, 'keep@example.com'));
    c.clock.advance(71 * 3_600_000);
    assert.equal(await purgeUnverifiedApplications(c.deps), 0);
    c.clock.advance(2 * 3_600_000);
    assert.ok((await purgeUnverifiedApplications(c.deps)) >= 1);
    const left = await c.db.db.selectFrom('applications').select('email').where('event_id', '=', event.id).execute();
    assert.deepEqual(left.map((r) => r.email), ['keep@example.com']);
    const mails = await c.db.db.selectFrom('outbox').select('to_address').where('event_id', '=', event.id).execute();
    assert.deepEqual([...new Set(mails.map((m) => m.to_address))], ['keep@example.com'], 'the purged address has no mail left either');
  });

  test('concurrent submissions of one address yield one application', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await Promise.all(Array.from({ length: 8 }, () => submitApplication(c.deps, event.slug, input('race@example.com'))));
    const n = await c.db.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
  });
});
