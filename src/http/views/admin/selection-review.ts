import type { Application } from '../../../db/repositories/applications.ts';
import { REVIEW_DECISIONS, reviewChoices } from '../../../services/review.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';

/** Review box on the organizer's application page: category, entry id, note and the possible decisions. */
export function reviewActions(ctx: PageContext, a: Application): SafeHtml {
  const { t } = ctx;
  const choices = reviewChoices(a, ctx.user?.role);
  return html`<section class="review" aria-labelledby="review-h"><h2 id="review-h">${t('selection.review')}</h2>
${a.category || a.entryId ? html`<dl class="details">
${a.category ? html`<div><dt>${t('selection.category_label')}</dt><dd>${t(`selection.category_${a.category}`)}</dd></div>` : ''}
${a.entryId ? html`<div><dt>${t('selection.entry_id')}</dt><dd><code>${a.entryId}</code></dd></div>` : ''}
${a.drawPosition !== null ? html`<div><dt>${t('selection.draw_position')}</dt><dd>${a.drawPosition + 1}</dd></div>` : ''}
</dl>` : ''}
${choices.length
  ? html`<form method="post" action="/admin/applications/${a.id}/review">${csrfField(ctx.csrfToken ?? '')}
<div class="field"><label for="f-note">${t('selection.review_note')}</label><p class="hint" id="h-note">${t('selection.review_note_hint')}</p>
<textarea id="f-note" name="note" rows="3" maxlength="2000" aria-describedby="h-note">${a.reviewNote ?? ''}</textarea></div>
<div class="actions">${REVIEW_DECISIONS.filter((d) => choices.includes(d)).map(
      (d) => html`<button type="submit" name="decision" value="${d}"${d === 'approve' ? html` class="primary"` : d === 'reject' ? html` class="danger"` : ''}>${t(`selection.${d}`)}</button>`,
    )}</div></form>`
  : a.reviewNote
    ? html`<p><strong>${t('selection.review_note')}:</strong> ${a.reviewNote}</p>`
    : ''}
</section>`;
}
