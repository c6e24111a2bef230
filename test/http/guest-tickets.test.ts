import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import type { TestContext } from '../helpers/context.ts';
import { dialects } from '../helpers/db.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { Browser } from '../helpers/http.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { qrCodesInPdf } from '../helpers/pdf.ts';
import { linkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The mail's PDF attachments as the recipient's mail program sees them. */
async function pdfsIn(raw: Buffer): Promise<Buffer[]> {
  const parsed = await simpleParser(raw);
  return parsed.attachments.filter((a) => a.contentType === 'application/pdf').map((a) => a.content);
}

/**
 * Issue 13's done-when: "a guest receives their own PDF ticket whose QR decodes" — the applicant confirms through
 * the rendered form with a guest's address, the real runtime's sender (on its thread) renders the PDF and sends
 * it over SMTP, and the QR code read from the rendered page of the PDF is that guest's ticket.
 */
for (const dialect of dialects()) {
  describe(`guests' own tickets over real SMTP [${dialect}]`, () => {
    let sink: SmtpSink;
    let server: TestServer;
    before(async () => {
      sink = await startSmtpSink();
      server = await startTestServer({ dialect, smtpUrl: sink.url, seedDemo: false });
    });
    after(async () => {
      await server?.stop();
      await sink?.close();
    });

    test('confirm form with a guest address → the guest gets their own mail, link and PDF ticket whose QR decodes', async () => {
      const deps = server.runtime.deps;
      const ctx = { deps, db: server.db, clock: deps.clock } as unknown as TestContext;
      const event = await createEvent(deps, 'test', { ...demoEventInput(deps.clock.now()), slug: `guest-tickets-${dialect}`, capacity: 10 });
      const p = await insertParty(ctx, event, { status: 'offered', name: 'Ada Lovelace', guests: ['Charles Babbage', 'Mary Somerville'], locale: 'en', email: `ada-${dialect}@example.com` });
      const app = server.runtime.app;

      const browser = new Browser(app);
      const status = await browser.get(`/a/${p.token}`);
      assert.equal(status.statusCode, 200);
      const form = findForm(status.body, `/a/${p.token}/confirm`);
      // A wrong address is refused and changes nothing.
      const bad = await submitForm(app, browser, form, { guest_email_0: 'charles-at-example' });
      assert.equal(bad.statusCode, 422);
      const res = await submitForm(app, browser, form, { guest_email_0: `charles-${dialect}@example.org` });
      assert.equal(res.statusCode, 303);
      const tickets = await ticketsForApplication(server.db.db, server.config.secret, p.id);
      assert.equal(tickets.length, 3);

      // The guest's own mail with their own one-page PDF.
      const guestMail = await sink.waitFor((m) => m.to.includes(`charles-${dialect}@example.org`));
      assert.match(guestMail.subject, /Your ticket for/);
      const [guestPdf, ...more] = await pdfsIn(guestMail.raw);
      assert.equal(more.length, 0);
      assert.deepEqual(await qrCodesInPdf(guestPdf), [tickets[1].token]);

      // The applicant's mail carries every ticket of the party.
      const partyMail = await sink.waitFor((m) => m.to.includes(`ada-${dialect}@example.com`) && /confirmed/i.test(m.subject));
      const [partyPdf] = await pdfsIn(partyMail.raw);
      assert.deepEqual(await qrCodesInPdf(partyPdf), tickets.map((tk) => tk.token));
      assert.equal((await sink.messages.filter((m) => m.to.includes(`mary-${dialect}@example.org`))).length, 0);

      // The guest's link opens their ticket page and its PDF; nothing of the party's application.
      const link = new URL(linkIn(guestMail.text, '/t/'));
      const page = await browser.get(link.pathname);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Charles Babbage/);
      assert.doesNotMatch(page.body, /Mary Somerville/);
      const pdf = await browser.get(`${link.pathname}/ticket.pdf`);
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.deepEqual(await qrCodesInPdf(pdf.rawPayload), [tickets[1].token]);

      // The party downloads all tickets from the status page's link.
      const confirmed = await browser.get(`/a/${p.token}`);
      assert.match(confirmed.body, new RegExp(`href="/a/${p.token}/tickets.pdf"`));
      const all = await browser.get(`/a/${p.token}/tickets.pdf`);
      assert.equal(all.statusCode, 200);
      assert.deepEqual(await qrCodesInPdf(all.rawPayload), tickets.map((tk) => tk.token));
      assert.equal((await browser.get('/t/this-is-no-valid-ticket-link-at-all')).statusCode, 404);
    });
  });
}
