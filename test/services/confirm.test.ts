import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { hashToken } from '../../src/platform/random.ts';
import { confirmApplication, confirmOffer, declineApplication } from '../../src/services/confirmations.ts';
import { ticketToken } from '../../src/services/tickets.ts';
import { expireOffersAndPromote } from '../../src/services/waitlist.ts';
import { forEachDialect } from '../helpers/context.ts';
import { heldSeats, insertParty, statusOf, waitlist } from '../helpers/after-draw.ts';
import { withRenderedMail } from '../../src/mail/templates.ts';

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;
const HOUR = 3_600_000;

forEachDialect('confirmations', (ctx) => {
  test('confirm issues one named ticket per person (HMAC token, stored hashed), mails the tickets link in the guest language', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['Charles', 'Mary'], locale: 'de' });
    const r = await confirmOffer(c.deps, p.token);
    assert.deepEqual(r, { applicationId: p.id, seats: 3, alreadyConfirmed: false, promoted: 0 });
    assert.equal(await statusOf(c.db, p.id), 'confirmed');
    const tickets = await c.db.db.selectFrom('tickets').selectAll().where('application_id', '=', p.id).orderBy('position').execute();
    assert.deepEqual(tickets.map((tk) => tk.holder_name), ['Ada', 'Charles', 'Mary']);
    for (const tk of tickets) {
      const token = ticketToken(c.deps.config.secret, tk.id);
      assert.ok(Buffer.from(token, 'base64url').length * 8 >= 128);
      assert.equal(tk.token_hash, hashToken(token));
    }
    const mail = withRenderedMail(await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'application.confirmed').where('to_address', '=', p.email).executeTakeFirstOrThrow());
    assert.match(mail.subject, /Ihr Platz ist bestätigt/);
    assert.match(mail.text_body, /\/a\/[A-Za-z0-9_-]+\/tickets/);
    // No calendar file before the reveal; the PDF tickets go along as a reference rendered at send time.
    assert.deepEqual(
      JSON.parse(mail.attachments!).map((a: { contentType: string; ticketPdf?: unknown }) => [a.contentType, !!a.ticketPdf]),
      [['application/pdf', true]],
    );
    // A second click changes nothing.
    assert.equal((await confirmOffer(c.deps, p.token)).alreadyConfirmed, true);
    assert.equal((await c.db.db.selectFrom('tickets').select('id').where('application_id', '=', p.id).execute()).length, 3);
  });

  test('shrink: choose who comes; the freed seat goes to the waitlist; the party never grows', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 3 });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['Charles', 'Mary'] });
    const [next] = await waitlist(c, event, [1]);
    await assert.rejects(confirmApplication(c.deps, p.id, { keepGuests: [0, 1, 2] }), rejects('offer.cannot_grow'));
    await assert.rejects(confirmApplication(c.deps, p.id, { keepGuests: [5] }), rejects('offer.cannot_grow'));
    assert.equal(await statusOf(c.db, p.id), 'offered', 'a refused confirmation changes nothing');
    const r = await confirmApplication(c.deps, p.id, { keepGuests: [1] });
    assert.equal(r.seats, 2);
    assert.equal(r.promoted, 1);
    const row = await c.db.db.selectFrom('applications').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    assert.equal(row.seats, 2);
    assert.deepEqual(JSON.parse(row.guests).map((g: { name: string }) => g.name), ['Mary']);
    const names = await c.db.db.selectFrom('tickets').select('holder_name').where('application_id', '=', p.id).orderBy('position').execute();
    assert.deepEqual(names.map((n) => n.holder_name), ['Ada', 'Mary']);
    assert.equal(await statusOf(c.db, next.id), 'offered');
    assert.equal(await heldSeats(c.db, event.id), 3);
  });

  test('the deadline is checked on the server clock; decline frees the seats for the waitlist and voids tickets', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 2 });
    const late = await insertParty(c, event, { status: 'offered', offerExpiresAt: new Date(c.clock.now().getTime() + HOUR).toISOString() });
    const conf = await insertParty(c, event, { status: 'offered' });
    const [w] = await waitlist(c, event, [1]);
    await confirmApplication(c.deps, conf.id);
    c.clock.advance(HOUR);
    await assert.rejects(confirmApplication(c.deps, late.id), rejects('offer.expired'));
    await declineApplication(c.deps, conf.id);
    assert.equal(await statusOf(c.db, conf.id), 'declined');
    const valid = await c.db.db.selectFrom('tickets').select('id').where('application_id', '=', conf.id).where('voided_at', 'is', null).execute();
    assert.equal(valid.length, 0);
    assert.equal(await statusOf(c.db, w.id), 'offered', 'the declined seat went to the waitlist');
    await assert.rejects(declineApplication(c.deps, w.id + 'x'), rejects('application.not_found'));
  });

  test('30 confirmations at once, with expiry and promotion racing them, never exceed capacity', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20 });
    const now = c.clock.now().getTime();
    const parties = [];
    for (let i = 0; i < 10; i++) {
      // Every third offer is past its deadline: those confirmations must fail and the seats move on.
      const expires = new Date(now + (i % 3 === 0 ? -1 : HOUR)).toISOString();
      parties.push(await insertParty(c, event, { status: 'offered', guests: ['g'], offerExpiresAt: expires }));
    }
    const wl = await waitlist(c, event, [2, 1, 2, 3, 1, 2, 2, 1]);
    const attempts = parties.flatMap((p, i) => [0, 1, 2].map((k) => confirmApplication(c.deps, p.id, { keepGuests: (i + k) % 2 ? [] : [0] })));
    const [confirms] = await Promise.all([Promise.allSettled(attempts), expireOffersAndPromote(c.deps), expireOffersAndPromote(c.deps)]);
    const ok = confirms.filter((r) => r.status === 'fulfilled' && !r.value.alreadyConfirmed);
    assert.equal(ok.length, 6, 'each party with an open offer confirms once');
    for (const r of confirms) if (r.status === 'rejected') assert.ok(rejects('offer.expired')(r.reason) || rejects('offer.not_offered')(r.reason), String(r.reason));
    assert.ok((await heldSeats(c.db, event.id)) <= event.capacity);
    // Tickets match the confirmed seats exactly: no double issue.
    const confirmed = await c.db.db.selectFrom('applications').select(['id', 'seats']).where('event_id', '=', event.id).where('status', '=', 'confirmed').execute();
    const tickets = await c.db.db.selectFrom('tickets').select('application_id').where('event_id', '=', event.id).execute();
    assert.equal(tickets.length, confirmed.reduce((s, r) => s + (r.seats ?? 0), 0));
    assert.equal(confirmed.length, 6);
    const offered = await c.db.db.selectFrom('audit_log').select('subject_id').where('event_id', '=', event.id).where('action', '=', 'application.offered').execute();
    assert.equal(new Set(offered.map((o) => o.subject_id)).size, offered.length, 'nobody promoted twice');
    assert.ok(offered.length > 0 && offered.every((o) => wl.some((w) => w.id === o.subject_id)));
  });
});
