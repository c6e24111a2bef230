import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldForSearch } from '../../src/domain/search.ts';
import { AppError } from '../../src/errors.ts';
import { listApplications } from '../../src/db/repositories/applications.ts';
import { listScores } from '../../src/db/repositories/review.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { editApplication, submitApplication, verifyApplication } from '../../src/services/applications.ts';
import { reviewApplication, reviewApplications } from '../../src/services/review.ts';
import { scoreApplication } from '../../src/services/review-scores.ts';
import { forEachDialect } from '../helpers/context.ts';
import { seedVerifiedApplications, tokenFromMail } from './draw-fixtures.ts';

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

const input = (name: string, email: string, guests: string[] = [], locale = 'en') => ({
  name,
  email,
  country: 'DE',
  locale,
  consent: true,
  answers: { why: 'I love launches' },
  guests: guests.map((g) => ({ name: g, relation: 'friend' })),
});

test('folding for search: case, accents and a few letters that do not decompose', () => {
  assert.equal(foldForSearch('MÜLLER'), 'muller');
  assert.equal(foldForSearch('Müller'), 'muller');
  assert.equal(foldForSearch('  José   Núñez '), 'jose nunez');
  assert.equal(foldForSearch('Straße Øresund Łódź Æsir'), 'strasse oresund lodz aesir');
  assert.equal(foldForSearch('Ｚｏë'), 'zoe', 'full-width letters too (NFKD)');
});

forEachDialect('review service', (ctx) => {
  test('search finds case and accent variants, guests by name, addresses; an edit is searchable at once', async () => {
    const c = ctx();
    const event = await c.makeEvent({ maxPartySize: 4 });
    await submitApplication(c.deps, event.slug, input('Jürgen Müller', 'jm@example.com', ['José Núñez']));
    await submitApplication(c.deps, event.slug, input('Ada MULLER', 'ada@example.com'));
    await submitApplication(c.deps, event.slug, input('Grace Hopper', 'grace@Navy.example', ['Zoë Ørsted']));
    const names = async (q: string) => (await listApplications(c.db.db, { eventId: event.id, q, limit: 10, sort: 'name' })).map((a) => a.name);
    assert.deepEqual(await names('muller'), ['Ada MULLER', 'Jürgen Müller']);
    assert.deepEqual(await names('MÜLLER'), ['Ada MULLER', 'Jürgen Müller']);
    assert.deepEqual(await names('Mül'), ['Ada MULLER', 'Jürgen Müller']);
    assert.deepEqual(await names('nunez'), ['Jürgen Müller'], "a guest's name finds the party");
    assert.deepEqual(await names('zoe orsted'), ['Grace Hopper']);
    assert.deepEqual(await names('navy.example'), ['Grace Hopper'], 'the address, in any case');
    assert.deepEqual(await names('hopper zoe'), [], 'a search does not run across two names');

    await editApplication(c.deps, await tokenFromMail(c, 'ada@example.com'), input('Ada Lovelace', 'ada@example.com', ['Charles Babbage']));
    assert.deepEqual(await names('muller'), ['Jürgen Müller']);
    assert.deepEqual(await names('babbage'), ['Ada Lovelace']);
  });

  test('bulk reject with a mail in each applicant language, one transaction, audited; changed ones are skipped', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const ids = await seedVerifiedApplications(c, event.id, 4, 'bulk');
    await c.db.db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', ids[3]).execute();
    const res = await reviewApplications(c.deps, 'owner', event.id, [ids[0], ids[1], ids[3], ids[0]], 'reject', { note: 'not this time', sendMail: true });
    assert.deepEqual(res, { done: [ids[0], ids[1]], skipped: [ids[3]], mailed: 2 });
    const rows = await c.db.db.selectFrom('applications').select(['id', 'status', 'review_note']).where('id', 'in', ids).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.status), ['rejected', 'rejected', 'submitted', 'withdrawn']);
    assert.equal(rows[0].review_note, 'not this time');
    const mails = (await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.rejected').where('event_id', '=', event.id).orderBy('to_address').execute()).map(
      withRenderedMail,
    );
    assert.deepEqual(mails.map((m) => [m.to_address, m.locale]), [['bulk0@example.com', 'en'], ['bulk1@example.com', 'de']]);
    assert.match(mails[0].subject, /Your application for /);
    assert.match(mails[1].subject, /Ihre Bewerbung für /);
    assert.match(mails[1].text_body, /Hallo Applicant 1,/);
    const audit = await c.db.db.selectFrom('audit_log').select(['action', 'subject_id', 'data']).where('event_id', '=', event.id).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action).filter((a) => a !== 'event.created'), ['application.rejected', 'application.rejected', 'applications.bulk_reviewed']);
    assert.deepEqual(JSON.parse(audit.at(-1)!.data), { decision: 'reject', done: 2, skipped: 1, mailed: 2, note: 'not this time' });

    // Without the mail: nothing is enqueued. Approving many needs seats for all of them at once.
    await reviewApplications(c.deps, 'owner', event.id, [ids[2]], 'hold');
    assert.equal((await c.db.db.selectFrom('outbox').select('id').where('kind', '=', 'application.rejected').where('event_id', '=', event.id).execute()).length, 2);
    const small = await c.makeEvent({ capacity: 2 });
    const more = await seedVerifiedApplications(c, small.id, 3, 'seat');
    await assert.rejects(reviewApplications(c.deps, 'owner', small.id, more, 'approve'), rejects('selection.no_seats'));
    assert.equal((await c.db.db.selectFrom('applications').select('id').where('event_id', '=', small.id).where('status', '=', 'offered').execute()).length, 0, 'all or nothing');
    await assert.rejects(reviewApplications(c.deps, 'owner', event.id, [], 'reject'), rejects('validation.failed'));
  });

  test('a single rejection mails only when asked; an unverified application is not reviewed', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await submitApplication(c.deps, event.slug, input('Erika Muster', 'erika@example.de', [], 'de'));
    const token = await tokenFromMail(c, 'erika@example.de');
    const [row] = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).execute();
    await assert.rejects(reviewApplication(c.deps, 'owner', row.id, 'reject'), rejects('review.not_allowed'));
    await verifyApplication(c.deps, token);
    await reviewApplication(c.deps, 'owner', row.id, 'reject', '', { sendMail: true });
    const [quiet] = await seedVerifiedApplications(c, event.id, 1, 'quiet');
    await reviewApplication(c.deps, 'owner', quiet, 'reject');
    const rejections = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.rejected').where('event_id', '=', event.id).execute();
    assert.equal(rejections.length, 1, 'no mail unless the organizer chose it');
    const mail = withRenderedMail(rejections[0]);
    assert.equal(mail.to_address, 'erika@example.de');
    assert.match(mail.text_body, /keinen Platz anbieten/);
  });

  test('scores: one per reviewer (a second replaces the first), the average sorts the list', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const ids = await seedVerifiedApplications(c, event.id, 3, 'sc');
    assert.deepEqual(await scoreApplication(c.deps, 'rev-a', ids[0], 4, 'good'), { average: 400, count: 1 });
    assert.deepEqual(await scoreApplication(c.deps, 'rev-b', ids[0], 3), { average: 350, count: 2 });
    assert.deepEqual(await scoreApplication(c.deps, 'rev-b', ids[0], 2, 'on reflection'), { average: 300, count: 2 });
    await scoreApplication(c.deps, 'rev-a', ids[2], 5);
    const scores = await listScores(c.db.db, ids[0]);
    assert.deepEqual(scores.map((s) => [s.reviewerId, s.score, s.note]), [['rev-a', 4, 'good'], ['rev-b', 2, 'on reflection']]);
    const order = (await listApplications(c.db.db, { eventId: event.id, sort: 'score', limit: 10 })).map((a) => [a.id, a.reviewScore, a.reviewCount]);
    assert.deepEqual(order, [[ids[2], 500, 1], [ids[0], 300, 2], [ids[1], 0, 0]]);
    await assert.rejects(scoreApplication(c.deps, 'rev-a', ids[1], 6), rejects('validation.failed'));
    await assert.rejects(scoreApplication(c.deps, 'rev-a', ids[1], 0), rejects('validation.failed'));
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', ids[0]).execute();
    assert.equal(audit.filter((a) => a.action === 'application.scored').length, 3);
  });
});
