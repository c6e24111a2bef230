import { countryName } from '../../../domain/countries.ts';
import { contentFor, type Event, localized } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { endonym, formatDate, formatDateTime } from '../../../i18n/index.ts';
import { isDate } from '../../../domain/application.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import { answerLabel } from '../answer-text.ts';
import type { PageContext } from '../layout.ts';
import { afterDrawSection, type ConfirmFormState, statusWhenAndWhere } from './after-draw.ts';
import type { ApplicantLink } from './applicant-links.ts';

function answerText(ctx: PageContext, event: Event, qid: string, value: string): string {
  const q = event.questions.find((x) => x.id === qid);
  if (!q) return value;
  return answerLabel(ctx.t, ctx.locale, event, q, value);
}

export type StatusNotice = 'just_verified' | 'declined_passed' | 'declined_freed';

export interface StatusPageOptions {
  event: Event;
  app: Application;
  link: ApplicantLink;
  canEdit: boolean;
  notice?: StatusNotice | null;
  /** 1-based place among the waitlisted parties, when the application is on the waitlist. */
  waitlistPosition?: number | null;
  /** The .ics download, for a confirmed party once time and venue are revealed. */
  calendar?: boolean;
  /** Still submitted, but the draw's entry list was fixed without it. */
  missedDraw?: boolean;
  /** A refused confirmation shown again with its errors and values. */
  confirmForm?: ConfirmFormState;
}

/** Statuses after which nothing is left to withdraw. */
const FINAL = new Set(['withdrawn', 'declined', 'expired']);

const NOTICE_KEY: Record<StatusNotice, string> = {
  just_verified: 'status.just_verified',
  declined_passed: 'applicant.declined_passed',
  declined_freed: 'applicant.declined_freed',
};

/** What the status means for the applicant, in words: one explanation per status, with its facts. */
function explanation(ctx: PageContext, o: StatusPageOptions, statusKey: string): SafeHtml {
  const { t, locale } = ctx;
  const { app, event } = o;
  if (statusKey === 'offered' && app.offerExpiresAt) {
    return html`<p>${t('applicant.explain_offered_until', { deadline: formatDateTime(app.offerExpiresAt, locale, event.timezone) })}</p>`;
  }
  if (statusKey === 'waitlisted' && o.waitlistPosition) {
    return html`<p>${t('status.explain_waitlisted')}</p><p class="waitlist-position"><strong>${t('applicant.waitlist_position', { position: o.waitlistPosition })}</strong></p>`;
  }
  if (statusKey === 'missed_draw') return html`<p>${t('applicant.explain_missed_draw')}</p>`;
  return html`<p>${t(`status.explain_${statusKey}`)}</p>`;
}

export function applicationStatusPage(ctx: PageContext, o: StatusPageOptions): SafeHtml {
  const { t, locale } = ctx;
  const { event, app, link } = o;
  const c = contentFor(event, locale);
  const statusKey = app.status === 'submitted' && !app.verified ? 'unverified' : o.missedDraw ? 'missed_draw' : app.status;
  return html`<article class="status">
<p class="eyebrow">${c.title}</p>
<h1>${t('status.title')}</h1>
${o.notice ? html`<p class="notice success" role="status">${t(NOTICE_KEY[o.notice])}</p>` : ''}
<section aria-labelledby="st-h"><h2 id="st-h">${t('status.state')}</h2>
<p class="badge status-${statusKey}">${t(statusKey === 'missed_draw' ? 'applicant.state_missed_draw' : `status.state_${statusKey}`)}</p>
${explanation(ctx, o, statusKey)}
${app.entryId ? html`<p class="entry-id">${t('status.entry_id')} <code dir="ltr">${app.entryId}</code> · <a href="/e/${event.slug}/draw">${t('status.entry_link')}</a></p>` : ''}
</section>
${afterDrawSection(ctx, { event, app, link, calendar: !!o.calendar, confirmForm: o.confirmForm })}
${statusWhenAndWhere(ctx, event, app)}
<section aria-labelledby="party-h"><h2 id="party-h">${t('status.party', { n: app.partySize })}</h2>
<ul class="party">
<li>${app.name} <span class="muted">(${t('status.you')})</span></li>
${app.guests.map((g) => html`<li>${g.name} <span class="muted">(${t(`relation.${g.relation}`)})</span></li>`)}
</ul></section>
<section aria-labelledby="details-h"><h2 id="details-h">${t('status.details')}</h2>
<dl class="details">
<div><dt>${t('form.email')}</dt><dd><bdi dir="ltr">${app.email}</bdi></dd></div>
<div><dt>${t('form.country')}</dt><dd>${countryName(app.country, locale)}</dd></div>
<div><dt>${t('form.language')}</dt><dd>${endonym(app.locale)}</dd></div>
<div><dt>${t('status.applied_at')}</dt><dd>${formatDateTime(app.createdAt, locale, event.timezone)}</dd></div>
${Object.entries(app.answers).map(([qid, v]) => {
  const q = event.questions.find((x) => x.id === qid);
  return html`<div><dt>${q ? localized(q.label, locale, event.defaultLocale) : qid}</dt><dd>${answerText(ctx, event, qid, v)}</dd></div>`;
})}
</dl></section>
${!FINAL.has(app.status)
  ? html`<section class="actions" aria-labelledby="act-h"><h2 id="act-h" class="visually-hidden">${t('status.actions')}</h2>
${o.canEdit ? html`<a class="button" href="${link('/edit')}">${t('status.edit')}</a>` : ''}
<a class="button danger" href="${link('/withdraw')}">${t('status.withdraw')}</a>
</section>`
  : ''}
</article>`;
}

/** The mailed link's first page: verifying takes a button press (a POST), so mail scanners that follow links verify nothing. */
export function verifyEmailPage(ctx: PageContext, o: { event: Event; app: Application; link: ApplicantLink }): SafeHtml {
  const { t, locale } = ctx;
  return html`<article class="message verify">
<p class="eyebrow">${contentFor(o.event, locale).title}</p>
<h1>${t('applicant.verify_title')}</h1>
<p>${t('applicant.verify_body')}</p>
<p class="static"><strong><bdi dir="ltr">${o.app.email}</bdi></strong></p>
<form method="post" action="${o.link('/verify')}">
${csrfField(ctx.csrfToken ?? '')}
<div class="actions"><button type="submit" class="primary big">${t('applicant.verify_button')}</button></div>
</form>
<p class="hint">${t('applicant.verify_hint')}</p>
</article>`;
}

export function withdrawConfirmPage(ctx: PageContext, o: { event: Event; link: ApplicantLink }): SafeHtml {
  const { t, locale } = ctx;
  return html`<article class="message">
<p class="eyebrow">${contentFor(o.event, locale).title}</p>
<h1>${t('withdraw.title')}</h1>
<p>${t('withdraw.body')}</p>
<form method="post" action="${o.link('/withdraw')}">
${csrfField(ctx.csrfToken ?? '')}
<div class="actions"><button type="submit" class="danger">${t('withdraw.confirm')}</button>
<a href="${o.link()}">${t('withdraw.cancel')}</a></div>
</form></article>`;
}
