import type { Event } from '../../../domain/event.ts';
import { formatDateTime, formatNumber } from '../../../i18n/index.ts';
import type { Locale } from '../../../domain/locales.ts';
import type { Translator } from '../../../i18n/index.ts';
import type { ApplicationMail, MessageLogEntry, Segment, UnreachableParty } from '../../../services/messages.ts';
import { countryNames } from '../country-picker.ts';
import { csrfField } from '../form.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';

/** Who a message goes to, in words: "Confirmed · Germany and Austria · Preferred countries". */
export function segmentSummary(t: Translator, locale: string, s: Segment): string {
  return [
    t(`messages.audience_${s.audience}`),
    s.countries.length ? countryNames(s.countries, locale) : '',
    s.group ? t(`messages.group_${s.group}`) : '',
    s.categories.length ? s.categories.join(', ') : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The Messages tab: who sent what to how many, delivered / bounced / pending; and who cannot be reached. */
export function messageLogView(ctx: PageContext, event: Event, log: readonly MessageLogEntry[], unreachable: readonly UnreachableParty[], notice: string | null): SafeHtml {
  const { t, locale } = ctx;
  const when = (iso: string) => formatDateTime(iso, locale, event.timezone);
  const num = (n: number) => formatNumber(n, locale);
  const segment = (m: MessageLogEntry) => segmentSummary(t, locale, m.segment);
  return html`<article class="messages">
<h1>${t('messages.title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p><a class="button primary" href="/admin/events/${event.id}/messages/new">${t('messages.new_title')}</a></p>
<section><h2 id="log-h">${t('messages.log_title')}</h2>
${log.length
  ? html`<div class="table-scroll" role="region" aria-labelledby="log-cap" tabindex="0"><table class="data"><caption id="log-cap" class="visually-hidden">${t('messages.log_title')}</caption>
<thead><tr><th scope="col">${t('messages.col_when')}</th><th scope="col">${t('messages.col_subject')}</th><th scope="col">${t('messages.col_to')}</th><th scope="col">${t('messages.col_by')}</th>
<th scope="col">${t('messages.col_recipients')}</th><th scope="col">${t('messages.col_delivered')}</th><th scope="col">${t('messages.col_bounced')}</th><th scope="col">${t('messages.col_suppressed')}</th><th scope="col">${t('messages.col_pending')}</th></tr></thead>
<tbody>${log.map(
      (m) => html`<tr><td>${when(m.sendAt)}${m.status === 'scheduled'
        ? html`<br><span class="badge">${t('messages.status_scheduled')}</span>
<form method="post" action="/admin/events/${event.id}/messages/${m.id}/cancel">${csrfField(ctx.csrfToken ?? '')}<button type="submit">${t('messages.cancel')}</button></form>`
        : m.status === 'cancelled'
          ? html`<br><span class="badge">${t('messages.status_cancelled')}</span>`
          : ''}</td>
<td><bdi>${m.subject}</bdi></td><td>${segment(m)}</td><td><bdi>${m.createdBy}</bdi></td>
<td>${m.recipients === null ? '–' : num(m.recipients)}</td><td>${num(m.delivered)}</td><td>${num(m.bounced + m.failed)}</td><td>${num(m.suppressed)}</td><td>${num(m.pending)}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>${t('messages.log_empty')}</p>`}
</section>
<section><h2 id="unreachable-h">${t('messages.unreachable_title')}</h2>
${unreachable.length
  ? html`<p>${t('messages.unreachable_intro')}</p><div class="table-scroll" role="region" aria-labelledby="unreach-cap" tabindex="0"><table class="data"><caption id="unreach-cap" class="visually-hidden">${t('messages.unreachable_title')}</caption>
<thead><tr><th scope="col">${t('messages.col_name')}</th><th scope="col">${t('messages.col_email')}</th><th scope="col">${t('messages.col_status')}</th><th scope="col">${t('messages.col_reason')}</th></tr></thead>
<tbody>${unreachable.map(
      (u) => html`<tr${u.status === 'offered' ? html` class="flagged"` : ''}><td><a href="/admin/applications/${u.id}"><bdi>${u.name}</bdi></a></td><td><bdi>${u.email}</bdi></td>
<td>${t(`messages.app_status.${u.status}`)}${u.status === 'offered' && u.offerExpiresAt ? html`<br><strong>${t('messages.unreachable_deadline', { when: when(u.offerExpiresAt) })}</strong>` : ''}</td>
<td>${t(`messages.reason_${u.reason}`)}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>${t('messages.unreachable_none')}</p>`}
</section>
</article>`;
}

/** Outbox kinds with a name in the catalogues (messages.mail_kind.*); anything else shows as "Other mail". */
const MAIL_KINDS = new Set([
  'application.verify', 'application.already_applied', 'application.confirmed', 'application.declined', 'application.withdrawn', 'application.rejected',
  'offer.invite', 'offer.review', 'offer.draw', 'offer.waitlist', 'offer.reminder', 'offer.expired', 'offer.extended', 'draw.waitlisted',
  'event.revealed', 'event.details_updated', 'event.reminder', 'event.thanks', 'ticket.guest', 'message',
]);
export const mailKindLabel = (t: Translator, kind: string) => t(`messages.mail_kind.${MAIL_KINDS.has(kind) ? kind.replace('.', '_') : 'other'}`);

/**
 * The mails of one application (its detail page): what, to whom (applicant or a guest, no address), when, and
 * whether it arrived, bounced or was not sent — never a body or a link.
 */
export function applicationMailsView(t: Translator, locale: Locale, event: Event, mails: readonly ApplicationMail[]): SafeHtml {
  const state = (m: ApplicationMail) => t(`messages.mail_state.${m.bouncedAt ? 'bounced' : m.status}`);
  return html`<section class="application-mails"><h2 id="app-mail-h">${t('messages.app_mail_title')}</h2>
${mails.length
  ? html`<div class="table-scroll" role="region" aria-labelledby="app-mail-cap" tabindex="0"><table class="data"><caption id="app-mail-cap" class="visually-hidden">${t('messages.app_mail_title')}</caption>
<thead><tr><th scope="col">${t('messages.app_mail_when')}</th><th scope="col">${t('messages.app_mail_kind')}</th><th scope="col">${t('messages.app_mail_to')}</th><th scope="col">${t('messages.app_mail_state')}</th></tr></thead>
<tbody>${mails.map(
      (m) => html`<tr class="mail-${m.bouncedAt ? 'bounced' : m.status}"><td>${formatDateTime(m.sentAt ?? m.createdAt, locale, event.timezone)}</td><td>${mailKindLabel(t, m.kind)}</td><td>${t(`messages.app_mail_to_${m.to}`)}</td><td>${state(m)}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>${t('messages.app_mail_none')}</p>`}
</section>`;
}
