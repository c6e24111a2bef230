import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp, Browser } from '../helpers/http.ts';
import { findForm, parseForms, submitForm } from '../helpers/form-controls.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import { renderOutboxMail } from '../../src/mail/templates.ts';

const control = (body: string, action: string, name: string) => findForm(body, action).controls.find((c) => c.name === name);

/**
 * The confirm form on the status page (issue 13): a wrong guest address shows the same page again with the error
 * at its field and everything typed kept; each guest's address can carry the language of that guest's mails.
 */
forEachDialect('confirm form', (ctx) => {
  for (const locale of ['en', 'de'] as const) {
    test(`[${locale}] a wrong guest address: the confirmation page again, a localized error at the field, everything typed kept`, async () => {
      const c = ctx();
      const event = await c.makeEvent({ capacity: 10 });
      const p = await insertParty(c, event, { status: 'offered', locale, guests: ['Charles Babbage', 'Mary Somerville', 'Ada Byron'] });
      const app = await buildTestApp(c);
      const browser = new Browser(app);
      const action = `/a/${p.token}/confirm`;
      const status = await browser.get(`/a/${p.token}`);
      assert.equal(status.statusCode, 200);
      // Every guest's language defaults to the applicant's.
      for (const i of [0, 1, 2]) assert.equal(control(status.body, action, `guest_locale_${i}`)?.value, locale);

      const bad = await submitForm(app, browser, findForm(status.body, action), {
        guest_email_0: 'charles-at-example',
        guest_locale_0: 'fr',
        guest_email_1: 'mary@example.org',
        guest_locale_1: 'ja',
        guest_2: false,
      });
      assert.equal(bad.statusCode, 422);
      assert.equal(bad.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(parseForms(bad.body).filter((f) => f.action === action).length, 1, 'the confirm form again');
      const message = locale === 'de' ? 'Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein.' : 'Please enter an email address like name@example.com.';
      // At the field: its message, aria-invalid, and the summary links to it.
      assert.match(bad.body, new RegExp(`<p class="field-error" id="e-guest_email_0">[^]*?${message.replaceAll('.', '\\.')}</p>\\s*<input id="f-guest_email_0" name="guest_email_0" type="email" value="charles-at-example"[^>]* aria-describedby="h-guest_email_0 e-guest_email_0" aria-invalid="true">`));
      assert.match(bad.body, new RegExp(`<a href="#f-guest_email_0">${message.replaceAll('.', '\\.')}</a>`));
      const form = findForm(bad.body, action);
      const value = (name: string) => form.controls.find((x) => x.name === name);
      assert.equal(value('guest_email_0')?.value, 'charles-at-example');
      assert.equal(value('guest_locale_0')?.value, 'fr');
      assert.equal(value('guest_email_1')?.value, 'mary@example.org');
      assert.equal(value('guest_locale_1')?.value, 'ja');
      assert.equal(value('guest_0')?.checked, true);
      assert.equal(value('guest_2')?.checked, false, 'an unticked guest stays unticked');
      assert.equal((await ticketsForApplication(c.db.db, c.deps.config.secret, p.id)).length, 0, 'nothing confirmed');
      assert.equal(await c.db.db.selectFrom('outbox').select('id').where('to_address', 'like', '%example.org').where('event_id', '=', event.id).executeTakeFirst(), undefined, 'no mail');

      // Corrected in the form as it came back: confirmed, each guest mailed in the language chosen for them.
      const ok = await submitForm(app, browser, form, { guest_email_0: 'charles@example.org' });
      assert.equal(ok.statusCode, 303);
      const tickets = await c.db.db.selectFrom('tickets').select(['holder_name', 'holder_email', 'holder_locale']).where('application_id', '=', p.id).where('voided_at', 'is', null).orderBy('holder_name').execute();
      assert.deepEqual(
        tickets.filter((tk) => tk.holder_email),
        [
          { holder_name: 'Charles Babbage', holder_email: 'charles@example.org', holder_locale: 'fr' },
          { holder_name: 'Mary Somerville', holder_email: 'mary@example.org', holder_locale: 'ja' },
        ],
      );
      assert.equal(tickets.length, 3, 'Ada Byron stayed at home');
      const mails = await c.db.db.selectFrom('outbox').selectAll().where('kind', '=', 'ticket.guest').where('event_id', '=', event.id).orderBy('to_address').execute();
      assert.deepEqual(mails.map((m) => [m.to_address, m.locale]), [['charles@example.org', 'fr'], ['mary@example.org', 'ja']]);
      const [charles, mary] = mails.map((m) => renderOutboxMail(m));
      assert.match(charles.subject, /Votre billet/);
      assert.match(mary.subject, /チケット/);
      const applicantMail = await c.db.db.selectFrom('outbox').select('locale').where('kind', '=', 'application.confirmed').where('to_address', '=', p.email).executeTakeFirstOrThrow();
      assert.equal(applicantMail.locale, locale, 'the applicant keeps their own language');
    });
  }

  test('a language that is not offered is ignored: the guest gets the applicant\'s', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const p = await insertParty(c, event, { status: 'offered', locale: 'de', guests: ['Max'] });
    const app = await buildTestApp(c);
    const browser = new Browser(app);
    const status = await browser.get(`/a/${p.token}`);
    const form = findForm(status.body, `/a/${p.token}/confirm`);
    form.controls.find((x) => x.name === 'guest_locale_0')!.options.push('xx');
    const ok = await submitForm(app, browser, form, { guest_email_0: 'max@example.org', guest_locale_0: 'xx' });
    assert.equal(ok.statusCode, 303);
    const row = await c.db.db.selectFrom('tickets').select('holder_locale').where('holder_email', '=', 'max@example.org').executeTakeFirstOrThrow();
    assert.equal(row.holder_locale, 'de');
  });
});
