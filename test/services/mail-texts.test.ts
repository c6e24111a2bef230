import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { LOCALES } from '../../src/domain/locales.ts';
import { renderOutboxMail } from '../../src/mail/templates.ts';
import { autoMailDue, saveAutoMailSettings, sendAutoMails } from '../../src/services/auto-mails.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { checkMailText, defaultMailText, EDITABLE_MAIL_NAMES, mailTextResolver, resetMailText, saveMailText } from '../../src/services/mail-texts.ts';
import { revealEvent } from '../../src/services/reveal.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';

const HOUR = 3_600_000;

test('every editable mail has a default text in every language that passes its own check and keeps its links', () => {
  for (const name of EDITABLE_MAIL_NAMES) {
    for (const locale of LOCALES) {
      const d = defaultMailText(name, locale);
      assert.deepEqual(checkMailText(name, d), [], `${name} [${locale}]`);
      assert.ok(d.subject.length > 0 && d.body.length > 0);
    }
  }
  assert.match(defaultMailText('application.verify', 'de').body, /^Hallo \{name\},[\s\S]*\{link\}/);
});

test('a text without its link, or with a placeholder the mail does not have, is refused with the field and the placeholder', () => {
  const d = defaultMailText('offer', 'en');
  const missing = checkMailText('offer', { subject: d.subject, body: d.body.replace('{link}', '') });
  assert.deepEqual(missing, [{ field: 'body', code: 'placeholder_missing', params: { placeholder: '{link}' } }]);
  const unknown = checkMailText('offer', { subject: 'Hi {position}', body: d.body });
  assert.deepEqual(unknown, [{ field: 'subject', code: 'placeholder_unknown', params: { placeholder: '{position}' } }]);
  assert.equal(checkMailText('offer', { subject: ' ', body: d.body })[0].code, 'required');
});

test('automatic mails are due in their window only', () => {
  const e = { startsAt: '2026-12-10T18:00:00.000Z', endsAt: '2026-12-10T22:00:00.000Z' };
  assert.equal(autoMailDue('reminder', e, 24, new Date('2026-12-09T17:59:00.000Z')), false);
  assert.equal(autoMailDue('reminder', e, 24, new Date('2026-12-09T18:00:00.000Z')), true);
  assert.equal(autoMailDue('reminder', e, 24, new Date('2026-12-10T18:00:00.000Z')), false, 'not once it started');
  assert.equal(autoMailDue('thanks', e, 12, new Date('2026-12-11T09:59:00.000Z')), false);
  assert.equal(autoMailDue('thanks', e, 12, new Date('2026-12-11T10:00:00.000Z')), true);
});

forEachDialect('mail texts and automatic mails', (ctx) => {
  test('a custom text is used when the mail is sent, per language, escaped in HTML; reset brings the built-in text back', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    await assert.rejects(
      saveMailText(c.deps, 'owner', event.id, 'application.confirmed', 'de', { subject: 'Bestätigt', body: 'ohne Link' }),
      (e) => e instanceof AppError && e.code === 'validation.failed' && e.fields[0].code === 'placeholder_missing',
    );
    await saveMailText(c.deps, 'owner', event.id, 'application.confirmed', 'de', {
      subject: 'Willkommen, {name}!',
      body: 'Liebe/r {name},\n\n<b>Parken</b> am Tor B. Ihre Tickets:\n{link}\n\nWer kommt: {tickets}',
    });
    const de = await insertParty(c, event, { status: 'offered', name: 'Erika', guests: ['Max'], locale: 'de' });
    const en = await insertParty(c, event, { status: 'offered', name: 'Ada', locale: 'en' });
    await confirmApplication(c.deps, de.id);
    await confirmApplication(c.deps, en.id);
    const resolve = mailTextResolver(c.db.db);
    const rowOf = (to: string) => c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', to).where('kind', '=', 'application.confirmed').executeTakeFirstOrThrow();
    const custom = renderOutboxMail(await resolve(await rowOf(de.email)));
    assert.equal(custom.subject, 'Willkommen, Erika!');
    assert.match(custom.text, /^Liebe\/r Erika,\n\n<b>Parken<\/b> am Tor B\. Ihre Tickets:\nhttp:\/\/admit\.test\/a\/[A-Za-z0-9_-]+\/tickets\n\nWer kommt: Erika — Einlasscode/);
    assert.match(custom.html, /&lt;b&gt;Parken&lt;\/b&gt;/, 'typed markup is text');
    assert.match(custom.html, /<a href="http:\/\/admit\.test\/a\/[A-Za-z0-9_-]+\/tickets">/);
    const builtIn = renderOutboxMail(await resolve(await rowOf(en.email)));
    assert.match(builtIn.subject, /Your place is confirmed/, 'the English mail keeps the built-in text');

    await resetMailText(c.deps, 'owner', event.id, 'application.confirmed', 'de');
    assert.match(renderOutboxMail(await resolve(await rowOf(de.email))).subject, /Ihr Platz ist bestätigt/);
  });

  test('reminder and thank-you: once per person (applicant, and a guest with their own address), in their language', async () => {
    const c = ctx();
    const start = c.clock.now().getTime() + 48 * HOUR;
    const event = await c.makeEvent({ capacity: 10, startsAt: new Date(start).toISOString(), endsAt: new Date(start + 4 * HOUR).toISOString(), venueName: 'Pier 17' });
    await saveAutoMailSettings(c.deps, 'owner', event.id, { reminder: { enabled: true, offsetHours: '24' }, thanks: { enabled: true, offsetHours: '2' } });
    await assert.rejects(
      saveAutoMailSettings(c.deps, 'owner', event.id, { reminder: { enabled: true, offsetHours: '0' }, thanks: { enabled: true, offsetHours: 'x' } }),
      (e) => e instanceof AppError && e.fields.map((f) => f.field).join() === 'reminder_hours,thanks_hours',
    );
    const p = await insertParty(c, event, { status: 'offered', name: 'Erika', guests: ['Max', 'Kurt'], locale: 'de' });
    await confirmApplication(c.deps, p.id, { guestEmails: { 0: 'max@example.org' } });
    await revealEvent(c.deps, 'owner', event.id);
    assert.equal(await sendAutoMails(c.deps), 0, 'not due yet');

    c.clock.set(new Date(start - 23 * HOUR));
    assert.equal(await sendAutoMails(c.deps), 2);
    assert.equal(await sendAutoMails(c.deps), 0, 'once');
    const reminders = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'event.reminder').orderBy('to_address').execute();
    assert.deepEqual(reminders.map((r) => r.to_address).sort(), [p.email, 'max@example.org'].sort());
    const guest = renderOutboxMail(reminders.find((r) => r.to_address === 'max@example.org')!);
    assert.match(guest.subject, /Erinnerung/);
    assert.match(guest.text, /Hallo Max,/);
    assert.match(guest.text, /\/t\/[A-Za-z0-9_-]+\/event\.ics/, 'calendar link');
    assert.match(guest.text, /Pier 17/);

    // After the event: only who came is thanked once the door checked people in.
    await c.db.db.updateTable('tickets').set({ checked_in_at: new Date(start).toISOString() }).where('application_id', '=', p.id).where('position', '=', 1).execute();
    c.clock.set(new Date(start + 7 * HOUR));
    assert.equal(await sendAutoMails(c.deps), 1);
    assert.equal(await sendAutoMails(c.deps), 0);
    const thanks = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'event.thanks').execute();
    assert.deepEqual(thanks.map((r) => r.to_address), ['max@example.org']);
    assert.match(renderOutboxMail(thanks[0]).subject, /Danke/);
  });
});
