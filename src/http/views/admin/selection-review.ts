import type { Application } from '../../../db/repositories/applications.ts';
import type { ReviewScore } from '../../../db/repositories/review.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import { REVIEW_DECISIONS, reviewChoices } from '../../../services/review.ts';
import { SCORES } from '../../../services/review-scores.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';
import { scoreText } from './applications.ts';

/**
 * Review box on the organizer's application page: category, entry id, note and the possible decisions (a rejection
 * may mail the applicant; the box says so), then the reviewers' scores. `list` is the list it was opened from, so
 * a decision comes back to the same place in it.
 */
export function reviewActions(ctx: PageContext, a: Application, o: { list?: string; scores?: ReviewScore[]; me?: string; timezone?: string } = {}): SafeHtml {
  const { t } = ctx;
  const choices = reviewChoices(a, ctx.user?.role);
  const list = o.list ? html`<input type="hidden" name="list" value="${o.list}">` : '';
  return html`<section class="review" aria-labelledby="review-h"><h2 id="review-h">${t('selection.review')}</h2>
${a.category || a.entryId ? html`<dl class="details">
${a.category ? html`<div><dt>${t('selection.category_label')}</dt><dd>${t(`selection.category_${a.category}`)}</dd></div>` : ''}
${a.entryId ? html`<div><dt>${t('selection.entry_id')}</dt><dd><code>${a.entryId}</code></dd></div>` : ''}
${a.drawPosition !== null ? html`<div><dt>${t('selection.draw_position')}</dt><dd>${a.drawPosition + 1}</dd></div>` : ''}
</dl>` : ''}
${a.status === 'held' ? html`<p class="notice" role="note">${t('review.held_notice')}</p>` : ''}
${choices.length
  ? html`<form method="post" action="/admin/applications/${a.id}/review">${csrfField(ctx.csrfToken ?? '')}${list}
<div class="field"><label for="f-note">${t('selection.review_note')}</label><p class="hint" id="h-note">${t('selection.review_note_hint')}</p>
<textarea id="f-note" name="note" rows="3" maxlength="2000" aria-describedby="h-note">${a.reviewNote ?? ''}</textarea></div>
${choices.includes('reject') ? html`<div class="field checkbox"><input type="checkbox" id="f-send-mail" name="send_mail" value="yes" checked><label for="f-send-mail">${t('review.send_mail')}</label></div>` : ''}
<div class="actions">${REVIEW_DECISIONS.filter((d) => choices.includes(d)).map(
      (d) => html`<button type="submit" name="decision" value="${d}"${d === 'approve' ? html` class="primary"` : d === 'reject' ? html` class="danger"` : ''}>${t(`selection.${d}`)}</button>`,
    )}</div></form>`
  : a.reviewNote
    ? html`<p><strong>${t('selection.review_note')}:</strong> ${a.reviewNote}</p>`
    : ''}
</section>
${scoresSection(ctx, a, o, list)}`;
}

function scoresSection(ctx: PageContext, a: Application, o: { scores?: ReviewScore[]; me?: string; timezone?: string }, list: SafeHtml | string): SafeHtml {
  const { t, locale } = ctx;
  const scores = o.scores ?? [];
  const mine = scores.find((s) => s.reviewerId === o.me);
  return html`<section class="scores" aria-labelledby="scores-h"><h2 id="scores-h">${t('review.scores')}</h2>
<p>${t('review.average')}: <strong>${scoreText(locale, a)}</strong></p>
${scores.length
  ? html`<ul class="history">${scores.map(
      (s) => html`<li><strong>${s.score}</strong> · ${s.reviewerName} · ${formatDateTime(s.updatedAt, locale, o.timezone ?? 'UTC')}${s.note ? html`<br>${s.note}` : ''}</li>`,
    )}</ul>`
  : html`<p class="muted">${t('review.no_scores')}</p>`}
<form method="post" action="/admin/applications/${a.id}/score">${csrfField(ctx.csrfToken ?? '')}${list}
<fieldset class="field radios score-choice"><legend>${t(mine ? 'review.your_score_again' : 'review.your_score')}</legend>
${SCORES.map((n) => html`<div class="radio"><input type="radio" id="f-score-${n}" name="score" value="${n}" required${mine?.score === n ? html` checked` : ''}><label for="f-score-${n}">${t(`review.score_${n}`)}</label></div>`)}
</fieldset>
<div class="field"><label for="f-score-note">${t('review.score_note')}</label><textarea id="f-score-note" name="score_note" rows="2" maxlength="2000">${mine?.note ?? ''}</textarea></div>
<div class="actions"><button type="submit">${t('review.save_score')}</button></div></form></section>`;
}
