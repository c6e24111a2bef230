import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import type { EventDetails } from './after-draw-mails.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** A guest's own ticket (ADR 0014): who invited them, their door code, the details once revealed; the PDF goes along. */
export function guestTicketMail(
  locale: Locale,
  p: { name: string; applicantName: string; eventTitle: string; doorCode: string; ticketUrl: string; details: EventDetails | null },
): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'guestticket.mail.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [
      t(locale, 'guestticket.mail.body', { event: p.eventTitle, applicant: p.applicantName }),
      t(locale, 'doorcode.mail_code', { code: p.doorCode }),
      p.details ? `${t(locale, 'event.when')}: ${p.details.when}\n${t(locale, 'event.where')}: ${p.details.where}` : t(locale, 'mail.confirmed.tba'),
      t(locale, 'guestticket.mail.pdf'),
    ],
    action: { label: t(locale, 'guestticket.mail.action'), url: p.ticketUrl },
    footer: t(locale, 'guestticket.mail.footer'),
  });
}
