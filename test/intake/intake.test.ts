import { test } from 'node:test';
import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { submitApplication, purgeUnverifiedApplications } from '../../src/services/applications.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { intakeFor } from '../../src/intake/intake.ts';
import { foldName } from '../../src/intake/keys.ts';
import { intakeCounts } from '../../src/intake/stats.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { applicationInput } from '../helpers/application-input.ts';

const input = applicationInput;

const count = async (c: TestContext, table: 'applications' | 'outbox' | 'audit_log' | 'application_links', eventId: string) => {
  const col = table === 'application_links' ? null : 'event_id';
  let q = c.db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (col) q = q.where(col as never, '=', eventId as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

forEachDialect('intake (group commit)', (ctx) => {
  test('concurrent submissions share transactions: every row, mail and audit entry is there after the answers', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const before = intakeFor(c.db).stats.batches;
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => submitApplication(c.deps, event.slug, input(`p${i}@example.com`))));
    assert.equal(new Set(results.map((r) => r.id)).size, 60);
    const batches = intakeFor(c.db).stats.batches - before;
    assert.ok(batches < 60, `grouped into ${batches} transactions`);
    assert.equal(await count(c, 'applications', event.id), 60);
    assert.equal(await count(c, 'outbox', event.id), 60);
    const audits = await c.db.db.selectFrom('audit_log').select('id').where('event_id', '=', event.id).where('action', '=', 'application.submitted').execute();
    assert.equal(audits.length, 60);
  });

  test('repeats inside one batch and against earlier rows: one row, the same answer, an "already applied" mail each', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const first = await submitApplication(c.deps, event.slug, input('first.last@gmail.com'));
    const again = await Promise.all([
      submitApplication(c.deps, event.slug, input('FirstLast+x@gmail.com', { name: 'Someone Else' })),
      submitApplication(c.deps, event.slug, input('new@example.com')),
      submitApplication(c.deps, event.slug, input('NEW@example.com')),
    ]);
    for (const r of [first, ...again]) assert.deepEqual(Object.keys(r).sort(), ['id', 'status']);
    assert.ok(again.every((r) => r.status === 'pending_verification'));
    const rows = await c.db.db.selectFrom('applications').select('email').where('event_id', '=', event.id).orderBy('email').execute();
    assert.deepEqual(rows.map((r) => r.email), ['first.last@gmail.com', 'new@example.com']);
    const mails = await c.db.db.selectFrom('outbox').select(['kind', 'to_address']).where('event_id', '=', event.id).execute();
    assert.equal(mails.filter((m) => m.kind === 'application.verify').length, 2);
    const already = mails.filter((m) => m.kind === 'application.already_applied').map((m) => m.to_address).sort();
    assert.deepEqual(already, ['first.last@gmail.com', 'new@example.com'], 'mailed to the address on file');
    assert.equal(await count(c, 'application_links', event.id), 2);
  });

  test('Idempotency-Key: the same key and body give the same answer and one application; another body is refused', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const idem = (body: object) => ({ idempotency: { channel: 'api' as const, key: 'key-123', body, onMismatch: 'error' as const } });
    const body = input('idem@example.com');
    const [a, b] = await Promise.all([submitApplication(c.deps, event.slug, body, idem(body)), submitApplication(c.deps, event.slug, body, idem(body))]);
    const later = await submitApplication(c.deps, event.slug, body, idem(body));
    assert.deepEqual(a, b);
    assert.deepEqual(a, later);
    assert.equal(await count(c, 'applications', event.id), 1);
    assert.equal(await count(c, 'outbox', event.id), 1, 'a replay sends no second mail');
    const other = input('other@example.com');
    await assert.rejects(submitApplication(c.deps, event.slug, other, idem(other)), (e: unknown) => e instanceof AppError && e.code === 'idempotency.mismatch');
    // the same key on another event is another key
    const event2 = await c.makeEvent();
    const r2 = await submitApplication(c.deps, event2.slug, body, idem(body));
    assert.notEqual(r2.id, a.id);
  });

  test('likely duplicates and same-household parties are flagged for review, not dropped', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const a = await submitApplication(c.deps, event.slug, input('jane.doe@corp.example', { name: 'Jane Doe', guests: [{ name: 'John Roe', relation: 'partner' }] }));
    const b = await submitApplication(c.deps, event.slug, input('janedoe+launch@corp.example', { name: 'J. Doe', guests: [] }));
    const d = await submitApplication(c.deps, event.slug, input('john@roe.example', { name: 'John Roe', guests: [] }));
    const e = await submitApplication(c.deps, event.slug, input('doe.jane@else.example', { name: 'Doe Jane', country: 'US', guests: [] }));
    const f = await submitApplication(c.deps, event.slug, input('unrelated@x.example', { name: 'Grace Hopper', guests: [] }));
    const flags = await c.db.db.selectFrom('application_flags').selectAll().where('event_id', '=', event.id).execute();
    const of = (id: string) => flags.filter((x) => x.application_id === id).map((x) => `${x.kind}:${x.reason}:${x.related_id === a.id ? 'A' : x.related_id}`).sort();
    assert.deepEqual(of(a.id), [], 'the first one is not flagged');
    assert.deepEqual(of(b.id), ['possible_duplicate:email:A'], 'same mailbox written differently');
    assert.deepEqual(of(d.id), ['same_household:applicant_is_guest:A'], 'applies on their own and is in another party');
    assert.deepEqual(of(e.id), ['possible_duplicate:name:A'], 'same name (any word order) from the same country');
    assert.deepEqual(of(f.id), []);
    assert.equal(await count(c, 'applications', event.id), 5, 'nothing dropped');
    // keys are pseudonymous: no names or addresses in the lookup table
    const keys = await c.db.db.selectFrom('intake_keys').select('key').where('event_id', '=', event.id).execute();
    assert.ok(keys.length > 0 && keys.every((k) => /^(e:[\w-]{16}|n:[\w-]{16}\.(a[\w-]{16}|g))$/.test(k.key)), keys.map((k) => k.key).join(' '));
  });

  test('one name namespace still finds every rule: same name and country, applicant is a guest, guest applied, shared guest', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const apply = (email: string, name: string, country: string, guests: string[]) =>
      submitApplication(c.deps, event.slug, input(email, { name, country, guests: guests.map((g) => ({ name: g, relation: 'friend' })) }));
    const a = await apply('a@x.example', 'Mia Wong', 'US', ['Leo Park']);
    const b = await apply('b@x.example', 'Zoe Tan', 'DE', ['Leo Park']);
    const cc = await apply('c@x.example', 'Mia Wong', 'DE', ['Ada King']);
    const d = await apply('d@x.example', 'Ivy Chen', 'FR', ['Mia Wong']);
    const e = await apply('e@x.example', 'Leo Park', 'CA', []);
    const f = await apply('f@x.example', 'Wong Mia', 'DE', []);
    const flags = await c.db.db.selectFrom('application_flags').selectAll().where('event_id', '=', event.id).execute();
    const names = new Map([a, b, cc, d, e, f].map((x, i) => [x.id, 'ABCDEF'[i]]));
    const of = (id: string) => flags.filter((x) => x.application_id === id).map((x) => `${x.kind}:${x.reason}:${names.get(x.related_id!)}`).sort();
    assert.deepEqual(of(a.id), []);
    assert.deepEqual(of(b.id), ['same_household:shared_guest:A']);
    assert.deepEqual(of(cc.id), [], 'the same name from another country is not a duplicate');
    assert.deepEqual(of(d.id), ['same_household:guest_applied:A'], 'the earliest applicant of that name, whatever the country');
    assert.deepEqual(of(e.id), ['same_household:applicant_is_guest:A']);
    assert.deepEqual(of(f.id), ['possible_duplicate:name:C', 'same_household:applicant_is_guest:D']);
    // A two-word name and one guest: three keys (address, applicant, guest), one per name and role.
    const keys = await c.db.db.selectFrom('intake_keys').select('key').where('event_id', '=', event.id).where('application_id', '=', a.id).execute();
    assert.equal(keys.length, 3);
  });

  test('keys stored by versions before the single name namespace keep matching, and are forgotten with their application', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const old = await submitApplication(c.deps, event.slug, input('old@x.example', { name: 'Olga Timer', guests: [{ name: 'Otto Guest', relation: 'friend' }] }));
    // As an earlier version stored them: e: (unchanged), p: name + country, a: applicant name, g: guest name.
    const h = (s: string) => createHmac('sha256', c.deps.config.secret).update(s).digest('base64url').slice(0, 16);
    await c.db.db.deleteFrom('intake_keys').where('event_id', '=', event.id).where('key', 'not like', 'e:%').execute();
    const legacy = [`p:${h(`p\0${foldName('Olga Timer')}\0US`)}`, `a:${h(`n\0${foldName('Olga Timer')}`)}`, `g:${h(`n\0${foldName('Otto Guest')}`)}`];
    await c.db.db.insertInto('intake_keys').values(legacy.map((key) => ({ event_id: event.id, key, application_id: old.id }))).execute();
    const dup = await submitApplication(c.deps, event.slug, input('dup@x.example', { name: 'Timer Olga', guests: [] }));
    const guestApplied = await submitApplication(c.deps, event.slug, input('ga@x.example', { name: 'Ivo Other', country: 'FR', guests: [{ name: 'Olga Timer', relation: 'friend' }] }));
    const isGuest = await submitApplication(c.deps, event.slug, input('ig@x.example', { name: 'Otto Guest', country: 'FR', guests: [] }));
    const flags = await c.db.db.selectFrom('application_flags').selectAll().where('event_id', '=', event.id).execute();
    const of = (id: string) => flags.filter((x) => x.application_id === id && x.related_id === old.id).map((x) => `${x.kind}:${x.reason}`);
    assert.deepEqual(of(dup.id), ['possible_duplicate:name']);
    assert.deepEqual(of(guestApplied.id), ['same_household:guest_applied']);
    assert.deepEqual(of(isGuest.id), ['same_household:applicant_is_guest']);
    c.clock.advance(73 * 3_600_000);
    assert.ok((await purgeUnverifiedApplications(c.deps)) >= 4);
    c.clock.advance(-73 * 3_600_000);
    assert.equal((await c.db.db.selectFrom('intake_keys').select('key').where('event_id', '=', event.id).execute()).length, 0, 'old keys are forgotten too');
  });

  test('counts by day and country come from counters kept in the same transactions', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await Promise.all([
      submitApplication(c.deps, event.slug, input('c1@example.com')),
      submitApplication(c.deps, event.slug, input('c2@example.com', { guests: [] })),
      submitApplication(c.deps, event.slug, input('c3@example.com', { country: 'DE' })),
      submitApplication(c.deps, event.slug, input('C1@example.com')), // a repeat does not count
    ]);
    const counts = await intakeCounts(c.db.db, event.id);
    // 2026-11-01T12:00Z is Nov 1 in New York
    assert.deepEqual(counts, [
      { day: '2026-11-01', country: 'DE', received: 1, people: 2 },
      { day: '2026-11-01', country: 'US', received: 2, people: 3 },
    ]);
  });

  test('an event closed after it was cached is still refused: the batch re-checks inside its transaction', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await submitApplication(c.deps, event.slug, input('early@example.com')); // caches the open event
    await changeEventStatus(c.deps, 'test', event.id, 'closed');
    await assert.rejects(submitApplication(c.deps, event.slug, input('late@example.com')), (e: unknown) => e instanceof AppError && e.code === 'event.closed');
    assert.equal(await count(c, 'applications', event.id), 1);
  });

  test('purging unverified applications also forgets their lookup keys', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await submitApplication(c.deps, event.slug, input('gone@example.com', { name: 'Gone Person', guests: [] }));
    const keysBefore = await c.db.db.selectFrom('intake_keys').select('key').where('event_id', '=', event.id).execute();
    assert.equal(keysBefore.length, 2, 'address and name');
    c.clock.advance(73 * 3_600_000);
    assert.ok((await purgeUnverifiedApplications(c.deps)) >= 1);
    c.clock.advance(-73 * 3_600_000);
    const keysAfter = await c.db.db.selectFrom('intake_keys').select('key').where('event_id', '=', event.id).execute();
    assert.equal(keysAfter.length, 0);
  });
});
