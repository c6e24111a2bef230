import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { renderMail, type RenderedMail } from './render.ts';

/** How a party came to its offer; decides the wording of the offer mail. */
export type OfferSource = 'invite' | 'review' | 'draw' | 'waitlist';

/**
 * "You are invited / selected — confirm by <deadline>". Pure; the deadline is already formatted
 * in the event's time zone for the reader's language.
 */
export function offerMail(
  locale: Locale,
  p: { name: string; eventTitle: string; url: string; deadline: string; seats: number; source: OfferSource },
): RenderedMail {
  const k = `mail.offer.${p.source}`;
  return renderMail(locale, {
    subject: t(locale, `${k}.subject`, { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [
      t(locale, `${k}.body`, { event: p.eventTitle, seats: p.seats }),
      t(locale, 'mail.offer.deadline', { deadline: p.deadline }),
      t(locale, 'mail.offer.details'),
    ],
    action: { label: t(locale, 'mail.offer.action'), url: p.url },
    footer: t(locale, 'mail.offer.footer'),
  });
}

/** After the draw: not selected yet, but on the waitlist at a 1-based position. */
export function waitlistedMail(locale: Locale, p: { name: string; eventTitle: string; url: string; position: number }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.waitlisted.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [
      t(locale, 'mail.waitlisted.body', { event: p.eventTitle, position: p.position }),
      t(locale, 'mail.waitlisted.next'),
    ],
    action: { label: t(locale, 'mail.waitlisted.action'), url: p.url },
  });
}
