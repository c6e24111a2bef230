import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import type { EventDetails } from './after-draw-mails.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** The automatic reminder before the event (ADR 0014): time, venue, the ticket and calendar links. */
export function eventReminderMail(
  locale: Locale,
  p: { name: string; eventTitle: string; details: EventDetails | null; ticketsUrl: string; calendarUrl: string | null; unsubscribeUrl?: string | null },
): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'automail.reminder.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [
      t(locale, 'automail.reminder.body', { event: p.eventTitle }),
      p.details ? `${t(locale, 'event.when')}: ${p.details.when}\n${t(locale, 'event.where')}: ${p.details.where}` : t(locale, 'mail.confirmed.tba'),
      ...(p.calendarUrl ? [`${t(locale, 'automail.reminder.calendar')}:\n${p.calendarUrl}`] : []),
      t(locale, 'automail.reminder.ticket'),
    ],
    action: { label: t(locale, 'mail.confirmed.action'), url: p.ticketsUrl },
  });
}

/** The thank-you after the event. */
/** unsubscribeUrl (optional mails, RFC 8058): carried to the List-Unsubscribe header by mail/delivery.ts. */
export function eventThanksMail(locale: Locale, p: { name: string; eventTitle: string; unsubscribeUrl?: string | null }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'automail.thanks.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'automail.thanks.body', { event: p.eventTitle })],
  });
}
