import { contentFor, type Event } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';
import { mailPreviews, type MailPreview } from './mail-preview.ts';

export interface DrawConfirmData {
  event: Event;
  step: 'freeze' | 'draw';
  entries: number;
  seats: number;
  /** Applications on hold now: how many, and the first few to open and decide. */
  heldCount: number;
  held: Application[];
  /** Mails the step sends (none for the freeze). */
  previews: MailPreview[];
  /** The fields of the form on the selection page, posted again with confirm=yes. */
  fields: Record<string, string>;
}

/**
 * The step before the freeze or the draw, which cannot be undone: counts, applications on hold with the rule and
 * the explicit choice to leave them out, and every mail in each language. Nothing has changed when it shows.
 */
export function drawConfirmPage(ctx: PageContext, d: DrawConfirmData): SafeHtml {
  const { t, locale } = ctx;
  const base = `/admin/events/${d.event.id}/selection`;
  return html`<p class="eyebrow"><a href="${base}">${contentFor(d.event, locale).title}</a></p>
<h1>${t(`review.${d.step}_confirm_title`)}</h1>
<p>${t(`review.${d.step}_confirm_intro`, { entries: d.entries, seats: d.seats })}</p>
<form method="post" action="${base}/${d.step}">${csrfField(ctx.csrfToken ?? '')}
${Object.entries(d.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirm" value="yes">
${d.heldCount
  ? html`<section class="notice" aria-labelledby="held-h"><h2 id="held-h">${t('review.held_count', { n: d.heldCount })}</h2>
<p>${t('review.held_rule')}</p>
<ul>${d.held.map((a) => html`<li><a href="/admin/applications/${a.id}?list=status%3Dheld"><bdi>${a.name}</bdi></a></li>`)}${
      d.heldCount > d.held.length ? html`<li><a href="/admin/events/${d.event.id}/applications?status=held">${t('review.held_list')}</a></li>` : ''
    }</ul>
<div class="field checkbox"><input type="checkbox" id="f-exclude-held" name="exclude_held" value="yes"><label for="f-exclude-held">${t('review.exclude_held', { n: d.heldCount })}</label></div>
</section>`
  : ''}
${d.step === 'freeze' ? html`<p>${t('review.freeze_no_mail')}</p>` : mailPreviews(t, d.previews)}
<div class="actions"><button type="submit" class="primary">${t(`review.${d.step}_confirm_submit`)}</button> <a href="${base}">${t('review.cancel')}</a></div>
</form>`;
}
