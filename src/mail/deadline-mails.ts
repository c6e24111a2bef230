import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** "Your offer expires in 24 hours — confirm by <deadline>". The deadline is formatted by the caller (event zone, reader's language). */
export function offerReminderMail(locale: Locale, p: { name: string; eventTitle: string; url: string; deadline: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'deadlines.mail.reminder_subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'deadlines.mail.reminder_body', { event: p.eventTitle, deadline: p.deadline }), t(locale, 'deadlines.mail.reminder_decline')],
    action: { label: t(locale, 'mail.offer.action'), url: p.url },
  });
}

/** The organizer gave more time to confirm. */
export function offerExtendedMail(locale: Locale, p: { name: string; eventTitle: string; url: string; deadline: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'deadlines.mail.extended_subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'deadlines.mail.extended_body', { event: p.eventTitle, deadline: p.deadline })],
    action: { label: t(locale, 'mail.offer.action'), url: p.url },
  });
}
