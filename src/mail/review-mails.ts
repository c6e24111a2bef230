import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { renderMail, type RenderedMail } from './render.ts';

/**
 * "Not this time": an application was declined in review. Kind and final, so nobody is left wondering; no link
 * (the status page says the same). Pure.
 */
export function rejectedMail(locale: Locale, p: { name: string; eventTitle: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.rejected.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.rejected.body', { event: p.eventTitle }), t(locale, 'mail.rejected.thanks')],
  });
}
