import { contentFor, type Event } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import type { ReviewDecision } from '../../../services/review.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';
import { blindLabel } from './applications.ts';
import { mailPreviews, type MailPreview } from './mail-preview.ts';

export interface BulkConfirmData {
  event: Event;
  decision: ReviewDecision;
  note: string;
  sendMail: boolean;
  /** The list's query to go back to. */
  back: string;
  /** Selected applications the decision applies to, and those it does not (left as they are). */
  applicable: Application[];
  skipped: Application[];
  previews: MailPreview[];
  blind: boolean;
}

/**
 * Step two of a bulk review: how many, who, which mails in which languages — then the same fields again with
 * confirm=yes. Nothing has changed yet when this page shows.
 */
export function bulkConfirmPage(ctx: PageContext, d: BulkConfirmData): SafeHtml {
  const { t, locale } = ctx;
  const listUrl = `/admin/events/${d.event.id}/applications${d.back ? `?${d.back}` : ''}`;
  const name = (a: Application) => (d.blind ? blindLabel(t, a) : a.name);
  const n = d.applicable.length;
  return html`<p class="eyebrow"><a href="${listUrl}">${contentFor(d.event, locale).title}</a></p>
<h1>${t(`review.confirm_${d.decision}`, { n })}</h1>
${n
  ? html`<p>${t('review.confirm_intro', { n })}</p>
<ul class="confirm-list">${d.applicable.map((a) => html`<li><bdi>${name(a)}</bdi></li>`)}</ul>`
  : html`<p class="notice" role="alert">${t('review.confirm_none')}</p>`}
${d.skipped.length ? html`<p class="notice">${t('review.confirm_skipped', { n: d.skipped.length })}</p><ul class="confirm-list muted">${d.skipped.map((a) => html`<li><bdi>${name(a)}</bdi></li>`)}</ul>` : ''}
${d.note ? html`<p><strong>${t('review.reason')}:</strong> ${d.note}</p>` : ''}
${n ? mailPreviews(t, d.previews) : ''}
${n
  ? html`<form method="post" action="/admin/events/${d.event.id}/applications/bulk">${csrfField(ctx.csrfToken ?? '')}
${d.applicable.map((a) => html`<input type="hidden" name="ids" value="${a.id}">`)}
<input type="hidden" name="decision" value="${d.decision}">
<input type="hidden" name="note" value="${d.note}">
${d.sendMail ? html`<input type="hidden" name="send_mail" value="yes">` : ''}
<input type="hidden" name="back" value="${d.back}">
<input type="hidden" name="confirm" value="yes">
<div class="actions"><button type="submit" class="${d.decision === 'reject' ? 'danger' : 'primary'}">${t(`review.confirm_${d.decision}`, { n })}</button> <a href="${listUrl}">${t('review.cancel')}</a></div></form>`
  : html`<p><a href="${listUrl}">${t('review.back_to_list')}</a></p>`}`;
}
