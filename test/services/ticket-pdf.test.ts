import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import type { Attachment } from '../../src/mail/outbox.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { findGuestTicket } from '../../src/services/guest-tickets.ts';
import { revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';
import { ticketPdf, ticketPdfResolver } from '../../src/services/ticket-pdf.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import { visualTokens } from '../../src/tickets/pdf.ts';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { qrCodesInPdf, textOfPdf } from '../helpers/pdf.ts';
import { linkIn } from '../helpers/smtp-sink.ts';

const DAY = 86_400_000;

test('right-to-left names: words in visual order, brackets mirrored, each piece in a font that covers it', () => {
  assert.deepEqual(visualTokens('Ada Lovelace'), [{ text: 'Ada Lovelace', font: 'latin' }]);
  assert.deepEqual(
    visualTokens('محمد عبد الله').map((r) => r.text),
    ['الله', ' ', 'عبد', ' ', 'محمد'],
  );
  assert.deepEqual(
    visualTokens('דוד כהן (David)').map((r) => [r.text, r.font]),
    [['(', 'latin'], ['David', 'latin'], [') ', 'latin'], ['כהן', 'hebrew'], [' ', 'latin'], ['דוד', 'hebrew']],
  );
  assert.deepEqual(
    visualTokens('Łukasz Żółć').map((r) => [r.text, r.font]),
    [['Ł', 'latinExt'], ['ukasz ', 'latin'], ['Ż', 'latinExt'], ['ó', 'latin'], ['łć', 'latinExt']],
  );
});

forEachDialect('PDF tickets and guests with their own address', (ctx) => {
  test('the PDF has one page per person whose QR code decodes to the ticket, the door code, and no venue before the reveal', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, startsAt: new Date(c.clock.now().getTime() + 30 * DAY).toISOString(), venueName: 'Pier 17' });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['محمد عبد الله', 'דוד כהן'] });
    await confirmApplication(c.deps, p.id);
    const tickets = await ticketsForApplication(c.db.db, c.deps.config.secret, p.id);
    const pdf = (await ticketPdf(c.db.db, c.deps.config.secret, { applicationId: p.id, locale: 'en' }, c.clock.now()))!;
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(await qrCodesInPdf(pdf), tickets.map((tk) => tk.token));
    const text = await textOfPdf(pdf);
    for (const tk of tickets) assert.ok(text.includes(`${tk.doorCode!.slice(0, 5)}-${tk.doorCode!.slice(5)}`), 'door code printed');
    assert.ok(!text.includes('Pier 17'), 'no venue before the reveal');
    assert.match(text, /emailed to you before the event/);

    await revealEvent(c.deps, 'owner', event.id);
    const after = await textOfPdf((await ticketPdf(c.db.db, c.deps.config.secret, { applicationId: p.id, locale: 'de' }, c.clock.now()))!);
    assert.match(after, /Pier 17/);
    assert.match(after, /Einlasscode/);
  });

  test('guests given an address get their own mail, link and one-page PDF; the party mail carries every ticket', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, startsAt: new Date(c.clock.now().getTime() + 30 * DAY).toISOString(), venueName: 'Pier 17' });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['Charles', 'Mary', 'Kurt'], locale: 'de' });
    await assert.rejects(
      confirmApplication(c.deps, p.id, { keepGuests: [0, 1], guestEmails: { 0: 'not-an-address' } }),
      (e) => e instanceof AppError && e.code === 'validation.failed' && e.fields.some((f) => f.field === 'guest_email_0'),
    );
    // Kurt (index 2) stays home: his address is ignored; Mary's field was left blank.
    await confirmApplication(c.deps, p.id, { keepGuests: [0, 1], guestEmails: { 0: ' charles@example.org ', 1: '', 2: 'kurt@example.org' } });
    const rows = await c.db.db.selectFrom('tickets').select(['id', 'holder_name', 'holder_email']).where('application_id', '=', p.id).orderBy('position').execute();
    assert.deepEqual(rows.map((r) => [r.holder_name, r.holder_email]), [['Ada', null], ['Charles', 'charles@example.org'], ['Mary', null]]);
    assert.equal(await c.db.db.selectFrom('outbox').select('id').where('to_address', '=', 'kurt@example.org').executeTakeFirst(), undefined);

    const guestRow = await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'charles@example.org').executeTakeFirstOrThrow();
    const guestMail = withRenderedMail(guestRow);
    assert.equal(guestMail.template, 'ticket.guest');
    assert.match(guestMail.subject, /Ihr Ticket für/);
    assert.match(guestMail.text_body, /Ada hat einen Platz für Sie/);
    const link = linkIn(guestMail.text_body, '/t/');
    const guest = await findGuestTicket(c.deps, link.split('/t/')[1]);
    assert.equal(guest.ticketId, rows[1].id);

    // The sender renders the reference into the PDF: one page, Charles's ticket.
    const resolve = ticketPdfResolver(c.db.db, c.deps.config.secret, c.clock);
    const sent = JSON.parse((await resolve(guestRow)).attachments!) as Attachment[];
    const pdf = sent.find((a) => a.contentType === 'application/pdf')!;
    const tickets = await ticketsForApplication(c.db.db, c.deps.config.secret, p.id);
    assert.deepEqual(await qrCodesInPdf(Buffer.from(pdf.content, 'base64')), [tickets[1].token]);

    const partyRow = await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', p.email).where('kind', '=', 'application.confirmed').executeTakeFirstOrThrow();
    const partyPdf = (JSON.parse((await resolve(partyRow)).attachments!) as Attachment[]).find((a) => a.contentType === 'application/pdf')!;
    assert.deepEqual(await qrCodesInPdf(Buffer.from(partyPdf.content, 'base64')), tickets.map((tk) => tk.token));

    // The reveal reaches the guest too, with their own (new) link.
    await saveRevealDetails(c.deps, 'owner', event.id, { startsAt: event.startsAt, endsAt: null, venueName: 'Pier 17', venueAddress: 'South St', venueMapUrl: null, revealAt: null });
    const r = await revealEvent(c.deps, 'owner', event.id);
    assert.equal(r.notified, 2);
    const reveal = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', 'charles@example.org').where('kind', '=', 'event.revealed').executeTakeFirstOrThrow());
    assert.notEqual(linkIn(reveal.text_body, '/t/'), link);

    // A place given back: the guest's link stops working and no PDF is made.
    await c.db.db.updateTable('tickets').set({ voided_at: c.clock.now().toISOString() }).where('id', '=', rows[1].id).execute();
    await assert.rejects(findGuestTicket(c.deps, link.split('/t/')[1]), (e) => e instanceof AppError && e.code === 'application.not_found');
    assert.equal((JSON.parse((await resolve(guestRow)).attachments!) as Attachment[]).length, 0);
  });
});
