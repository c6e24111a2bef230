import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../form.ts';
import type { PageContext } from '../layout.ts';
import { mailPreviews, type MailPreview } from './mail-preview.ts';

export interface ConfirmActionData {
  /** Where the action was started (the cancel link and the eyebrow). */
  back: { href: string; label: string };
  title: string;
  /** What will happen, with the counts. */
  intro: string;
  /** More about who is affected (e.g. a message's segment), shown under the intro. */
  details?: SafeHtml;
  /** The form: the same action URL and fields as the first post, plus confirm=yes. */
  action: string;
  fields: Record<string, string>;
  /** Every mail the action sends, per language (empty: "No mail is sent"). */
  previews: MailPreview[];
  submit: string;
}

/** A confirmation step for an organizer action that mails many people or cannot be undone. Nothing has changed yet. */
export function confirmActionPage(ctx: PageContext, d: ConfirmActionData): SafeHtml {
  const { t } = ctx;
  return html`<p class="eyebrow"><a href="${d.back.href}">${d.back.label}</a></p>
<h1>${d.title}</h1>
<p>${d.intro}</p>
${d.details ?? ''}
${mailPreviews(t, d.previews)}
<form method="post" action="${d.action}">${csrfField(ctx.csrfToken ?? '')}
${Object.entries(d.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirm" value="yes">
<div class="actions"><button type="submit" class="primary">${d.submit}</button> <a href="${d.back.href}">${t('review.cancel')}</a></div></form>`;
}
