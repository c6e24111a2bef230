import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** Staff mails (issue 10). Pure, like every template. */
export function passwordResetMail(locale: Locale, p: { url: string; minutes: number }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'staff.reset_mail.subject'),
    greeting: t(locale, 'mail.greeting_plain'),
    paragraphs: [t(locale, 'staff.reset_mail.body', { minutes: p.minutes }), t(locale, 'staff.reset_mail.ignore')],
    action: { label: t(locale, 'staff.reset_mail.action'), url: p.url },
  });
}
