import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { icsCalendar } from '../../src/mail/ics.ts';
import { icsEvent, parseIcs } from '../helpers/ics.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { revealDueEvents, revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import { Scheduler } from '../../src/services/scheduler.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

test('ics: RFC 5545 (CRLF, ≤75 octets, folded), UID, SEQUENCE, DTSTAMP and times in UTC, escaped text', () => {
  const text = icsCalendar({
    uid: 'event-1@admit.test',
    sequence: 3,
    stamp: '2026-11-01T12:00:00.000Z',
    start: '2026-12-13T00:00:00.000Z',
    end: '2026-12-13T04:30:00.000Z',
    summary: 'Launch Night; New York, 2026',
    location: 'Pier 17, 89 South St\nNew York',
    description: 'Ü'.repeat(60),
    url: 'https://maps.example/?q=Pier17',
  });
  const cal = parseIcs(text);
  assert.equal(cal.get('VERSION'), '2.0');
  assert.equal(cal.get('METHOD'), 'PUBLISH');
  assert.ok(cal.get('PRODID'));
  const ev = icsEvent(text);
  assert.equal(ev.get('UID'), 'event-1@admit.test');
  assert.equal(ev.get('SEQUENCE'), '3');
  assert.equal(ev.get('DTSTAMP'), '20261101T120000Z');
  assert.equal(ev.get('DTSTART'), '20261213T000000Z');
  assert.equal(ev.get('DTEND'), '20261213T043000Z');
  assert.equal(ev.get('SUMMARY'), 'Launch Night; New York, 2026');
  assert.match(text, /SUMMARY:Launch Night\\; New York\\, 2026\r\n/, 'TEXT escaped on the wire');
  assert.equal(ev.get('LOCATION'), 'Pier 17, 89 South St\nNew York');
  assert.equal(ev.get('DESCRIPTION'), 'Ü'.repeat(60), 'folded without splitting a UTF-8 sequence');
  assert.equal(ev.get('URL'), 'https://maps.example/?q=Pier17');
});

forEachDialect('reveal', (ctx) => {
  test('reveal mails confirmed guests the details with an .ics; later confirmations get them too; scheduled reveal fires once', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const early = await insertParty(c, event, { status: 'offered', name: 'Ada', locale: 'de' });
    const later = await insertParty(c, event, { status: 'offered', name: 'Bob' });
    await confirmApplication(c.deps, early.id);
    await assert.rejects(revealEvent(c.deps, 'owner', event.id), (e) => e instanceof AppError && e.code === 'reveal.incomplete');

    await saveRevealDetails(c.deps, 'owner', event.id, {
      startsAt: '2026-12-13T00:00:00.000Z',
      endsAt: '2026-12-13T04:00:00.000Z',
      venueName: 'Pier 17',
      venueAddress: '89 South St, New York',
      venueMapUrl: 'https://maps.example/pier17',
      revealAt: '2026-11-02T12:00:00.000Z',
    });
    await assert.rejects(
      saveRevealDetails(c.deps, 'owner', event.id, { startsAt: null, endsAt: null, venueName: null, venueAddress: null, venueMapUrl: 'javascript:alert(1)', revealAt: null }),
      (e) => e instanceof AppError && e.fields.some((f) => f.field === 'venueMapUrl'),
    );
    assert.equal(await revealDueEvents(c.deps), 0, 'not yet due');
    c.clock.set('2026-11-02T12:00:00.000Z');
    const a = new Scheduler(c.deps, { instanceId: 'a', jobs: [{ name: 'reveal', everyMs: 30_000, run: revealDueEvents }] });
    const b = new Scheduler({ ...c.deps }, { instanceId: 'b', jobs: [{ name: 'reveal', everyMs: 30_000, run: revealDueEvents }] });
    await Promise.all([a.runDue(), b.runDue()]);
    assert.equal((await revealEvent(c.deps, 'owner', event.id)).revealed, false, 'idempotent');

    const mails = (await c.db.db.selectFrom('outbox').selectAll().where('event_id', '=', event.id).where('kind', '=', 'event.revealed').execute()).map(withRenderedMail);
    assert.equal(mails.length, 1, 'one mail per confirmed party, once');
    assert.equal(mails[0].to_address, early.email);
    assert.match(mails[0].subject, /Zeit und Ort/);
    assert.match(mails[0].text_body, /Pier 17, 89 South St, New York/);
    assert.match(mails[0].text_body, /https:\/\/maps\.example\/pier17/);
    assert.match(mails[0].text_body, /19:00/, 'in the event time zone (New York)');
    const [att] = JSON.parse(mails[0].attachments!);
    assert.match(att.contentType, /^text\/calendar/);
    const first = icsEvent(Buffer.from(att.content, 'base64').toString());
    assert.equal(first.get('DTSTART'), '20261213T000000Z');
    assert.equal(first.get('UID'), `event-${event.id}@admit.test`);

    await confirmApplication(c.deps, later.id);
    const conf = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.confirmed').where('to_address', '=', later.email).executeTakeFirstOrThrow());
    assert.match(conf.text_body, /Pier 17/);
    assert.ok(conf.attachments, 'the calendar file comes with a confirmation after the reveal');

    const upd = await saveRevealDetails(c.deps, 'owner', event.id, {
      startsAt: '2026-12-13T01:00:00.000Z',
      endsAt: null,
      venueName: 'Pier 17',
      venueAddress: '89 South St, New York',
      venueMapUrl: null,
      revealAt: null,
    });
    assert.equal(upd.notified, 2, 'a change after the reveal is mailed to every confirmed party');
    // The update replaces the calendar entry: same UID, a higher SEQUENCE, the new time (RFC 5545 §3.8.7.4).
    const updates = (await c.db.db.selectFrom('outbox').selectAll().where('event_id', '=', event.id).where('kind', '=', 'event.details_updated').execute()).map(withRenderedMail);
    assert.equal(updates.length, 2);
    for (const m of updates) {
      const ev = icsEvent(Buffer.from(JSON.parse(m.attachments!)[0].content, 'base64').toString());
      assert.equal(ev.get('UID'), first.get('UID'));
      assert.ok(Number(ev.get('SEQUENCE')) > Number(first.get('SEQUENCE')), `SEQUENCE ${ev.get('SEQUENCE')} after ${first.get('SEQUENCE')}`);
      assert.equal(ev.get('DTSTART'), '20261213T010000Z');
    }
    // Saving the same details again is no change: no new revision.
    const seq = Number((await c.db.db.selectFrom('events').select('calendar_sequence').where('id', '=', event.id).executeTakeFirstOrThrow()).calendar_sequence);
    await saveRevealDetails(c.deps, 'owner', event.id, { startsAt: '2026-12-13T01:00:00.000Z', endsAt: null, venueName: 'Pier 17', venueAddress: '89 South St, New York', venueMapUrl: null, revealAt: null });
    assert.equal(Number((await c.db.db.selectFrom('events').select('calendar_sequence').where('id', '=', event.id).executeTakeFirstOrThrow()).calendar_sequence), seq);
  });
});
