import { contentFor, type Event } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { formatEventDetails } from './after-draw-mails.ts';
import type { RenderedMail } from './render.ts';
import type { OfferSource } from './selection-mails.ts';
import { renderTemplate, type MailTemplateRef } from './templates.ts';

/**
 * Previews for confirmation pages: the real templates, rendered with sample values. Capability links are
 * placeholders — a preview never mints a token — and the name is a placeholder in the mail's language.
 */
export interface PreviewGroup {
  locale: Locale;
  count: number;
  /** A party size to show in the mail (offers), e.g. of the first such applicant. */
  seats?: number;
}

export interface RenderedPreview {
  /** Template name: what the mail is. */
  kind: string;
  locale: Locale;
  count: number;
  mail: RenderedMail;
  /** The params the mail was rendered with: an event's own wording of it is rendered from them (mail-texts.ts). */
  params: Record<string, unknown>;
}

/** Renders a sample mail and keeps its params. */
function sample(kind: 'application.rejected' | 'offer' | 'draw.waitlisted' | 'event.reveal', g: PreviewGroup, params: Record<string, unknown>): RenderedPreview {
  return { kind, locale: g.locale, count: g.count, params, mail: renderTemplate({ name: kind, locale: g.locale, params } as MailTemplateRef) };
}

const link = (publicUrl: string, locale: Locale) => `${publicUrl}/a/[${t(locale, 'review.preview_link')}]`;
const sampleName = (locale: Locale) => t(locale, 'review.preview_name');

export function rejectionPreviews(event: Event, groups: readonly PreviewGroup[]): RenderedPreview[] {
  return groups.map((g) => sample('application.rejected', g, { name: sampleName(g.locale), eventTitle: contentFor(event, g.locale).title }));
}

/** The offer as makeOffer words it: deadline = now + the event's confirmation hours, in the event's time zone. */
export function offerPreviews(event: Event, groups: readonly PreviewGroup[], source: OfferSource, now: Date, publicUrl: string): RenderedPreview[] {
  const expiresAt = new Date(now.getTime() + event.confirmHours * 3_600_000).toISOString();
  return groups.map((g) =>
    sample('offer', g, {
      name: sampleName(g.locale),
      eventTitle: contentFor(event, g.locale).title,
      url: link(publicUrl, g.locale),
      deadline: formatDateTime(expiresAt, g.locale, event.timezone),
      seats: g.seats ?? 1,
      source,
    }),
  );
}

export function waitlistedPreviews(event: Event, groups: readonly PreviewGroup[], publicUrl: string): RenderedPreview[] {
  return groups.map((g) =>
    sample('draw.waitlisted', g, { name: sampleName(g.locale), eventTitle: contentFor(event, g.locale).title, url: link(publicUrl, g.locale), position: 1 }),
  );
}

/**
 * The reveal (or, once revealed, the update) as mailDetails words it, for the event as it will be after the change.
 * Groups without the details to show (no start time yet) get no mail and no preview.
 */
export function revealPreviews(event: Event, groups: readonly PreviewGroup[], update: boolean, now: Date, publicUrl: string): RenderedPreview[] {
  return groups.flatMap((g) => {
    const details = formatEventDetails({ ...event, revealedAt: event.revealedAt ?? now.toISOString() }, g.locale);
    if (!details) return [];
    return [sample('event.reveal', g, { name: sampleName(g.locale), eventTitle: contentFor(event, g.locale).title, details, ticketsUrl: `${link(publicUrl, g.locale)}/tickets`, update })];
  });
}
