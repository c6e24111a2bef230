import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { findApplicationByToken } from '../../src/services/applications.ts';
import { erasePersonalData, ERASED_NAME } from '../../src/services/retention.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertDrawnEvent, insertParty } from '../helpers/after-draw.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mailDir, mailFile } from '../../src/mail/files.ts';

const DAY = 86_400_000;

forEachDialect('retention', (ctx) => {
  test('erases those not coming N days after the draw, everyone N days after the event; keeps status and entry ids', async () => {
    const c = ctx();
    const { event, drawnAt } = await insertDrawnEvent(c);
    const coming = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['Charles'], entryId: 'aa' });
    await confirmApplication(c.deps, coming.id);
    const declined = await insertParty(c, event, { status: 'declined', name: 'Bob', guests: ['Eve'], entryId: 'bb' });
    const withdrawn = await insertParty(c, event, { status: 'withdrawn', name: 'Cy', entryId: 'cc' });
    const waiting = await insertParty(c, event, { status: 'waitlisted', name: 'Di', entryId: 'dd', drawPosition: 7 });
    await c.db.db.insertInto('outbox').values({ id: 'mail-' + declined.id, kind: 'x', to_address: declined.email, subject: 'Hi Bob', text_body: 'Bob', html_body: 'Bob', attachments: null, status: 'sent', attempts: 1, next_attempt_at: drawnAt, locked_until: null, locked_by: null, last_error: null, created_at: drawnAt, sent_at: drawnAt, event_id: event.id }).execute();

    // Without SMTP the sent mail is also a file in <data>/mail.
    mkdirSync(mailDir(c.deps.config.dataDir), { recursive: true });
    writeFileSync(mailFile(c.deps.config.dataDir, 'mail-' + declined.id), 'Subject: Hi Bob');

    c.clock.advance(event.retentionDays * DAY - 1);
    assert.equal(await erasePersonalData(c.deps), 0, 'nothing before the retention time');
    c.clock.advance(1);
    assert.equal(await erasePersonalData(c.deps), 2, 'declined and withdrawn: retention_days after the draw');
    const row = async (id: string) => c.db.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const d = await row(declined.id);
    assert.equal(d.name, ERASED_NAME);
    assert.match(d.email, /@invalid$/);
    assert.equal(d.guests, '[]');
    assert.equal(d.answers, '{}');
    assert.equal(d.status, 'declined', 'status kept');
    assert.equal(d.entry_id, 'bb', 'the pseudonymous entry id stays, so the bundle still verifies');
    assert.ok(d.erased_at);
    assert.equal((await row(withdrawn.id)).name, ERASED_NAME);
    assert.equal((await row(coming.id)).name, 'Ada', 'confirmed guests are kept until after the event');
    assert.equal((await row(waiting.id)).name, 'Di', 'the waitlist may still move up');
    assert.equal((await c.db.db.selectFrom('outbox').select('id').where('to_address', '=', declined.email).execute()).length, 0, 'stored mail copies erased');
    assert.equal(existsSync(mailFile(c.deps.config.dataDir, 'mail-' + declined.id)), false, 'and their .eml file');
    await assert.rejects(findApplicationByToken(c.deps, declined.token), 'old status links stop working');
    const bundle = await c.db.db.selectFrom('draws').select('bundle').where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(bundle.bundle, '{"entries":[]}', 'the audit bundle is untouched');

    c.clock.set(new Date(Date.parse(event.endsAt!) + event.retentionDays * DAY));
    assert.equal(await erasePersonalData(c.deps), 2);
    assert.equal((await row(coming.id)).status, 'confirmed');
    assert.equal((await row(waiting.id)).name, ERASED_NAME);
    const tickets = await c.db.db.selectFrom('tickets').select('holder_name').where('application_id', '=', coming.id).execute();
    assert.deepEqual([...new Set(tickets.map((t) => t.holder_name))], [ERASED_NAME]);
    assert.equal(await erasePersonalData(c.deps), 0, 'idempotent');
  });
});
