import type { Event } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import { formatEventDetails, type EventDetails } from '../../../mail/after-draw-mails.ts';
import { ticketHolders } from '../../../services/tickets.ts';
import { html, type SafeHtml } from '../html.ts';
import { LOCALES } from '../../../domain/locales.ts';
import { endonym } from '../../../i18n/index.ts';
import { csrfField, errorSummary, type FormErrors, selectField, textField } from '../form.ts';
import type { PageContext } from '../layout.ts';
import { whenAndWhere } from './event-page.ts';
import type { ApplicantLink } from './applicant-links.ts';

interface SectionOptions {
  event: Event;
  app: Application;
  link: ApplicantLink;
  /** Offer the .ics download (confirmed and revealed). */
  calendar: boolean;
  /** A refused confirmation: what was posted (kept as typed) and the errors by field name. */
  confirmForm?: ConfirmFormState;
}

export interface ConfirmFormState {
  values: Record<string, string>;
  errors: FormErrors;
}

/** Time and venue for a confirmed guest once revealed; "to be announced" for everyone else. */
export function statusWhenAndWhere(ctx: PageContext, event: Event, app: Application): SafeHtml {
  const details = app.status === 'confirmed' ? formatEventDetails(event, ctx.locale) : null;
  return details ? eventDetailsList(ctx, details) : whenAndWhere(ctx, event);
}

export function eventDetailsList(ctx: PageContext, d: EventDetails): SafeHtml {
  const { t } = ctx;
  return html`<dl class="facts revealed">
<div><dt>${t('event.when')}</dt><dd>${d.when}</dd></div>
<div><dt>${t('event.where')}</dt><dd>${d.where}</dd></div>
${d.mapUrl ? html`<div><dt>${t('reveal.map')}</dt><dd><a href="${d.mapUrl}" rel="noopener noreferrer">${t('offer.open_map')}</a></dd></div>` : ''}
</dl>`;
}

/** The part of the status page that belongs to the time after the draw: confirm form, tickets link. */
export function afterDrawSection(ctx: PageContext, o: SectionOptions): SafeHtml {
  const { app } = o;
  if (app.status === 'offered') return offerForm(ctx, o);
  if (app.status === 'confirmed') return confirmedPlace(ctx, o);
  return html``;
}

function offerForm(ctx: PageContext, o: SectionOptions): SafeHtml {
  const { t, locale } = ctx;
  const { app, event, link } = o;
  const seats = app.seats ?? app.partySize;
  const holders = ticketHolders(app, seats).slice(1);
  return html`<section class="offer card" aria-labelledby="offer-h">
<h2 id="offer-h">${t('offer.title')}</h2>
<p>${t('offer.offered_intro', { seats })}</p>
${app.offerExpiresAt ? html`<p class="deadline"><strong>${t('offer.deadline', { deadline: formatDateTime(app.offerExpiresAt, locale, event.timezone) })}</strong></p>` : ''}
${o.confirmForm ? errorSummary(t, o.confirmForm.errors) : ''}
<form method="post" action="${link('/confirm')}">
${csrfField(ctx.csrfToken ?? '')}
${holders.length
  ? html`<fieldset class="field"><legend>${t('offer.choose_legend')}</legend>
<p class="hint">${t('offer.choose_hint')}</p>
<div class="checkbox"><input type="checkbox" id="f-guest-self" checked disabled><label for="f-guest-self">${app.name} (${t('status.you')})</label></div>
${holders.map((h, i) => guestChoice(ctx, h.name, i, app.locale, o.confirmForm))}
</fieldset>`
  : ''}
<div class="actions"><button type="submit" class="primary">${t('offer.confirm')}</button>
<a href="${link('/decline')}">${t('offer.decline_link')}</a></div>
</form>
</section>`;
}

/**
 * One guest seat of the confirm form: coming or not, and optionally the guest's own address and the language
 * of the guest's mails (default the applicant's). After a refusal everything typed is shown again.
 */
function guestChoice(ctx: PageContext, name: string, i: number, applicantLocale: string, state: ConfirmFormState | undefined): SafeHtml {
  const { t } = ctx;
  const values = state?.values;
  const errors: FormErrors = state?.errors ?? new Map();
  const coming = values ? values[`guest_${i}`] === 'yes' : true;
  const locale = values?.[`guest_locale_${i}`] || applicantLocale;
  return html`<div class="checkbox"><input type="checkbox" id="f-guest-${i}" name="guest_${i}" value="yes"${coming ? html` checked` : ''}><label for="f-guest-${i}">${name}</label></div>
<div class="guest-email">
${textField(t, { name: `guest_email_${i}`, label: t('guestticket.email_label', { name }), hint: t('guestticket.email_hint', { name }), type: 'email', autocomplete: 'off', maxlength: 254, value: values?.[`guest_email_${i}`] ?? '', errors })}
${selectField(t, { name: `guest_locale_${i}`, label: t('guestticket.locale_label', { name }), value: locale, errors, options: LOCALES.map((l) => ({ value: l, label: endonym(l) })) })}
</div>`;
}

function confirmedPlace(ctx: PageContext, o: SectionOptions): SafeHtml {
  const { t } = ctx;
  const { app, event, link } = o;
  return html`<section class="offer card" aria-labelledby="offer-h">
<h2 id="offer-h">${t('offer.title')}</h2>
<p>${t('offer.confirmed_intro', { seats: app.seats ?? app.partySize })}</p>
${event.revealedAt ? '' : html`<p>${t('offer.details_tba')}</p>`}
<div class="actions"><a class="button primary" href="${link('/tickets')}">${t('offer.tickets_link')}</a>
<a class="button" href="${link('/tickets.pdf')}" type="application/pdf">${t('ticketpdf.download')}</a>
${o.calendar ? calendarLink(ctx, link) : ''}
<a href="${link('/decline')}">${t('offer.cancel_link')}</a></div>
</section>`;
}

/** The .ics download of a revealed event (same UID and SEQUENCE as the mailed one). */
export function calendarLink(ctx: PageContext, link: ApplicantLink): SafeHtml {
  return html`<a class="button calendar" href="${link('/event.ics')}" download="event.ics" type="text/calendar">${ctx.t('applicant.calendar_link')}</a>`;
}

export function declineConfirmPage(ctx: PageContext, o: { eventTitle: string; link: ApplicantLink; confirmed: boolean }): SafeHtml {
  const { t } = ctx;
  return html`<article class="message">
<p class="eyebrow">${o.eventTitle}</p>
<h1>${t('offer.decline_title')}</h1>
<p>${t(o.confirmed ? 'offer.decline_body_confirmed' : 'offer.decline_body')}</p>
<form method="post" action="${o.link('/decline')}">
${csrfField(ctx.csrfToken ?? '')}
<div class="actions"><button type="submit" class="danger">${t('offer.decline_confirm')}</button>
<a href="${o.link()}">${t('offer.decline_cancel')}</a></div>
</form></article>`;
}
