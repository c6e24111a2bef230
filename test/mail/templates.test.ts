import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCALES, type Locale } from '../../src/domain/locales.ts';
import { outboxRow } from '../../src/mail/outbox.ts';
import { alreadyAppliedMail, setupMail, verificationMail, withdrawnMail } from '../../src/mail/render.ts';
import { passwordResetMail } from '../../src/mail/staff-mails.ts';
import { offerMail, waitlistedMail } from '../../src/mail/selection-mails.ts';
import { confirmedMail, declinedMail, expiredMail, revealMail } from '../../src/mail/after-draw-mails.ts';
import { rejectedMail } from '../../src/mail/review-mails.ts';
import { offerExtendedMail, offerReminderMail } from '../../src/mail/deadline-mails.ts';
import { organizerMessageMail } from '../../src/mail/messages.ts';
import { guestTicketMail } from '../../src/mail/guest-mails.ts';
import { eventReminderMail, eventThanksMail } from '../../src/mail/automatic.ts';
import {
  isMailTemplateName,
  MailRenderError,
  mailTemplates,
  renderOutboxMail,
  withRenderedMail,
  type MailTemplateName,
  type MailTemplateRef,
} from '../../src/mail/templates.ts';

const NOW = '2026-11-20T10:00:00.000Z';
const details = { when: 'Saturday, December 12, 2026 at 7:00 PM EST', where: 'Pier 17, 89 South St, New York', mapUrl: 'https://maps.example/pier17' };

/** One example per template, with the function it must render like. */
const examples: { [N in MailTemplateName]: { params: Extract<MailTemplateRef, { name: N }>['params']; direct: (l: Locale) => ReturnType<typeof verificationMail> } } = {
  'application.verify': { params: { name: 'Ada <Lovelace>', eventTitle: 'Launch & Night', url: 'https://x.test/a/tok' }, direct: (l) => verificationMail(l, { name: 'Ada <Lovelace>', eventTitle: 'Launch & Night', url: 'https://x.test/a/tok' }) },
  'application.already_applied': { params: { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/t2' }, direct: (l) => alreadyAppliedMail(l, { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/t2' }) },
  'application.withdrawn': { params: { name: 'Ada', eventTitle: 'Launch' }, direct: (l) => withdrawnMail(l, { name: 'Ada', eventTitle: 'Launch' }) },
  'user.setup': { params: { url: 'https://x.test/setup/s' }, direct: (l) => setupMail(l, { url: 'https://x.test/setup/s' }) },
  'user.password_reset': { params: { url: 'https://x.test/password-reset/r', minutes: 60 }, direct: (l) => passwordResetMail(l, { url: 'https://x.test/password-reset/r', minutes: 60 }) },
  offer: {
    params: { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/o', deadline: 'Monday', seats: 3, source: 'waitlist' },
    direct: (l) => offerMail(l, { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/o', deadline: 'Monday', seats: 3, source: 'waitlist' }),
  },
  'draw.waitlisted': { params: { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/w', position: 4 }, direct: (l) => waitlistedMail(l, { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/w', position: 4 }) },
  'application.confirmed': {
    params: { name: 'Ada', eventTitle: 'Launch', seats: 2, holders: ['Ada', 'Charles'], ticketsUrl: 'https://x.test/a/c/tickets', details },
    direct: (l) => confirmedMail(l, { name: 'Ada', eventTitle: 'Launch', seats: 2, holders: ['Ada', 'Charles'], ticketsUrl: 'https://x.test/a/c/tickets', details }),
  },
  'application.declined': { params: { name: 'Ada', eventTitle: 'Launch' }, direct: (l) => declinedMail(l, { name: 'Ada', eventTitle: 'Launch' }) },
  'offer.expired': { params: { name: 'Ada', eventTitle: 'Launch' }, direct: (l) => expiredMail(l, { name: 'Ada', eventTitle: 'Launch' }) },
  'application.rejected': { params: { name: 'Ada', eventTitle: 'Launch' }, direct: (l) => rejectedMail(l, { name: 'Ada', eventTitle: 'Launch' }) },
  'event.reveal': {
    params: { name: 'Ada', eventTitle: 'Launch', details, ticketsUrl: 'https://x.test/a/r/tickets', update: true },
    direct: (l) => revealMail(l, { name: 'Ada', eventTitle: 'Launch', details, ticketsUrl: 'https://x.test/a/r/tickets', update: true }),
  },
  'offer.reminder': {
    params: { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/m', deadline: 'Monday' },
    direct: (l) => offerReminderMail(l, { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/m', deadline: 'Monday' }),
  },
  'offer.extended': {
    params: { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/e', deadline: 'Tuesday' },
    direct: (l) => offerExtendedMail(l, { name: 'Ada', eventTitle: 'Launch', url: 'https://x.test/a/e', deadline: 'Tuesday' }),
  },
  'organizer.message': {
    params: { eventTitle: 'Launch', subject: 'Parking', body: 'Gate <B>', unsubscribeUrl: 'https://x.test/u/abc' },
    direct: (l) => organizerMessageMail(l, { eventTitle: 'Launch', subject: 'Parking', body: 'Gate <B>', unsubscribeUrl: 'https://x.test/u/abc' }),
  },
  'ticket.guest': {
    params: { name: 'Charles', applicantName: 'Ada', eventTitle: 'Launch', doorCode: 'ABCDE-FGHJK', ticketUrl: 'https://x.test/t/g', details },
    direct: (l) => guestTicketMail(l, { name: 'Charles', applicantName: 'Ada', eventTitle: 'Launch', doorCode: 'ABCDE-FGHJK', ticketUrl: 'https://x.test/t/g', details }),
  },
  'event.reminder': {
    params: { name: 'Ada', eventTitle: 'Launch', details, ticketsUrl: 'https://x.test/a/r/tickets', calendarUrl: 'https://x.test/a/r/event.ics' },
    direct: (l) => eventReminderMail(l, { name: 'Ada', eventTitle: 'Launch', details, ticketsUrl: 'https://x.test/a/r/tickets', calendarUrl: 'https://x.test/a/r/event.ics' }),
  },
  'event.thanks': { params: { name: 'Ada', eventTitle: 'Launch' }, direct: (l) => eventThanksMail(l, { name: 'Ada', eventTitle: 'Launch' }) },
};

describe('mail templates', () => {
  test('every registered template, stored as a reference, renders exactly like the direct call, in every language', () => {
    assert.deepEqual(Object.keys(examples).sort(), Object.keys(mailTemplates).sort());
    for (const name of Object.keys(mailTemplates) as MailTemplateName[]) {
      for (const locale of LOCALES) {
        const row = outboxRow({ id: 'm1', kind: name, to: 'ada@example.com', now: NOW, template: { name, locale, params: examples[name].params } as MailTemplateRef });
        assert.deepEqual([row.subject, row.text_body, row.html_body], ['', '', ''], 'nothing rendered at enqueue time');
        assert.equal(row.template, name);
        assert.equal(row.locale, locale);
        assert.deepEqual(renderOutboxMail(row), examples[name].direct(locale), `${name} [${locale}]`);
      }
    }
  });

  test('a template row is small; a pre-rendered row (before migration 007) is read as stored', () => {
    const ref = { name: 'application.verify', locale: 'de', params: { name: 'Erika', eventTitle: 'Launch-Abend', url: 'https://x.test/a/t' } } as const;
    const templ = outboxRow({ id: 'm1', kind: 'application.verify', to: 'e@example.de', now: NOW, template: ref });
    const rendered = outboxRow({ id: 'm2', kind: 'application.verify', to: 'e@example.de', now: NOW, mail: verificationMail('de', ref.params) });
    assert.deepEqual(Object.keys(templ), Object.keys(rendered), 'one shape, so both mix in one multi-row INSERT');
    assert.deepEqual([rendered.template, rendered.locale, rendered.params], [null, null, null]);
    const size = (r: object) => JSON.stringify(r).length;
    assert.ok(size(templ) * 4 < size(rendered), `${size(templ)} vs ${size(rendered)} bytes`);
    assert.deepEqual(renderOutboxMail(rendered), renderOutboxMail(templ));
    assert.equal(withRenderedMail(templ).subject, 'Bitte bestätigen Sie Ihre Bewerbung: Launch-Abend');
  });

  test('rows that cannot be rendered say why; an unknown locale falls back to English', () => {
    const base = { subject: '', text_body: '', html_body: '' };
    assert.throws(() => renderOutboxMail({ ...base, template: 'no.such', locale: 'en', params: '{}' }), MailRenderError);
    assert.throws(() => renderOutboxMail({ ...base, template: 'toString', locale: 'en', params: '{}' }), MailRenderError, 'only own keys');
    assert.throws(() => renderOutboxMail({ ...base, template: 'user.setup', locale: 'en', params: null }), /without params/);
    assert.throws(() => renderOutboxMail({ ...base, template: 'user.setup', locale: 'en', params: '{' }), /not JSON/);
    assert.equal(renderOutboxMail({ ...base, template: 'user.setup', locale: 'xx', params: '{"url":"https://x.test/s"}' }).subject, setupMail('en', { url: '' }).subject);
    assert.equal(isMailTemplateName('application.already_applied'), true);
    assert.equal(isMailTemplateName('__proto__'), false);
  });
});

/** Compile-time only (tsc checks test/): params are typed per template name. Never called. */
export function typeChecks(locale: Locale): void {
  const base = { id: 'x', kind: 'k', to: 't@example.com', now: NOW };
  outboxRow({ ...base, template: { name: 'application.verify', locale, params: { name: 'n', eventTitle: 'e', url: 'u' } } });
  outboxRow({ ...base, template: { name: 'application.already_applied', locale, params: { name: 'n', eventTitle: 'e', url: 'u' } } });
  outboxRow({ ...base, template: { name: 'offer', locale, params: { name: 'n', eventTitle: 'e', url: 'u', deadline: 'd', seats: 1, source: 'draw' } } });
  // @ts-expect-error url is missing
  outboxRow({ ...base, template: { name: 'application.verify', locale, params: { name: 'n', eventTitle: 'e' } } });
  // @ts-expect-error position belongs to draw.waitlisted, not to application.verify
  outboxRow({ ...base, template: { name: 'application.verify', locale, params: { name: 'n', eventTitle: 'e', url: 'u', position: 1 } } });
  // @ts-expect-error not a registered template
  outboxRow({ ...base, template: { name: 'application.nope', locale, params: {} } });
  // @ts-expect-error not a locale
  outboxRow({ ...base, template: { name: 'user.setup', locale: 'tlh', params: { url: 'u' } } });
  // @ts-expect-error a mail is either rendered or a template, not both
  outboxRow({ ...base, mail: { subject: 's', text: 't', html: 'h' }, template: { name: 'user.setup', locale, params: { url: 'u' } } });
  // @ts-expect-error one of the two is required
  outboxRow({ ...base });
}
