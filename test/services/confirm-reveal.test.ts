import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { escapeIcsText, foldLine, icsCalendar } from '../../src/mail/ics.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { revealDueEvents, revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import { Scheduler } from '../../src/services/scheduler.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

test('ics: RFC 5545 lines (CRLF, ≤75 octets, folded), UID, DTSTAMP and times in UTC, escaped text', () => {
  const ics = icsCalendar({
    uid: 'event-1@admit.test',
    stamp: '2026-11-01T12:00:00.000Z',
    start: '2026-12-13T00:00:00.000Z',
    end: '2026-12-13T04:30:00.000Z',
    summary: 'Launch Night; New York, 2026',
    location: 'Pier 17, 89 South St\nNew York',
    description: 'Ü'.repeat(60),
    url: 'https://maps.example/?q=Pier 17',
  });
  assert.ok(ics.endsWith('\r\n'));
  assert.ok(!/[^\r]\n/.test(ics), 'every line ends in CRLF');
  const lines = ics.split('\r\n').slice(0, -1);
  for (const l of lines) assert.ok(Buffer.byteLength(l) <= 75, `too long: ${l}`);
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0'));
  assert.ok(lines.includes('UID:event-1@admit.test'));
  assert.ok(lines.includes('DTSTAMP:20261101T120000Z'));
  assert.ok(lines.includes('DTSTART:20261213T000000Z'));
  assert.ok(lines.includes('DTEND:20261213T043000Z'));
  assert.ok(lines.includes('SUMMARY:Launch Night\\; New York\\, 2026'));
  assert.ok(lines.includes('LOCATION:Pier 17\\, 89 South St\\nNew York'));
  // Unfolding (remove CRLF + one space) gives back the logical line, with no UTF-8 sequence split.
  const unfolded = ics.replace(/\r\n /g, '');
  assert.ok(unfolded.includes(`DESCRIPTION:${'Ü'.repeat(60)}`));
  assert.equal(escapeIcsText('a\\b'), 'a\\\\b');
  assert.equal(foldLine('x'.repeat(75)), 'x'.repeat(75));
  assert.equal(foldLine('x'.repeat(76)), `${'x'.repeat(75)}\r\n x`);
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
    assert.match(Buffer.from(att.content, 'base64').toString(), /DTSTART:20261213T000000Z\r\n/);

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
  });
});
