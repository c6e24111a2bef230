import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';

export interface OfferRow {
  id: string;
  name: string;
  email: string;
  seats: number;
  source: string;
  /** Formatted in the event's zone. */
  deadline: string;
  reminded: boolean;
  /** datetime-local value offered in the extend field. */
  suggest: string;
}

/** Open offers by deadline; each row extends its own offer (a form per row, no JavaScript). */
export function offersPage(
  ctx: PageContext,
  o: { event: { id: string; title: string; timezone: string }; header: SafeHtml; offers: OfferRow[]; total: number; error?: { id: string; message: string; value: string }; extended?: string },
): SafeHtml {
  const { t } = ctx;
  const base = `/admin/events/${o.event.id}`;
  return html`${o.header}
<h1>${t('deadlines.offers_title')}</h1>
<p class="hint">${t('deadlines.offers_intro', { zone: o.event.timezone.replaceAll('_', ' ') })}</p>
${o.extended ? html`<p class="notice success" role="status">${t('deadlines.extended_notice')}</p>` : ''}
${o.offers.length
  ? html`<table class="data offers"><caption>${t('deadlines.offers_caption', { shown: o.offers.length, total: o.total })}</caption>
<thead><tr><th scope="col">${t('deadlines.col_party')}</th><th scope="col">${t('deadlines.col_seats')}</th><th scope="col">${t('deadlines.col_deadline')}</th><th scope="col">${t('deadlines.col_extend')}</th></tr></thead>
<tbody>${o.offers.map((r) => {
      const err = o.error?.id === r.id ? o.error : null;
      const fid = `f-extend-${r.id}`;
      return html`<tr${o.extended === r.id ? html` class="highlight"` : ''}><th scope="row">${r.name}<br><span class="muted">${r.email}</span></th>
<td>${r.seats}</td>
<td>${r.deadline}${r.reminded ? html`<br><span class="muted">${t('deadlines.reminded')}</span>` : ''}</td>
<td><form method="post" action="${base}/offers/${r.id}/extend" class="inline-form${err ? ' has-error' : ''}" novalidate>${csrfField(ctx.csrfToken ?? '')}
<label for="${fid}">${t('deadlines.new_deadline_for', { name: r.name })}</label>
${err ? html`<p class="field-error" id="e-${fid}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err.message}</p>` : ''}
<div class="inline-field"><input type="datetime-local" id="${fid}" name="expiresAt" value="${err ? err.value : r.suggest}"${err ? html` aria-invalid="true" aria-describedby="e-${fid}"` : ''}>
<button type="submit">${t('deadlines.extend')}</button></div></form></td></tr>`;
    })}</tbody></table>`
  : html`<p>${t('deadlines.no_offers')}</p>`}`;
}
