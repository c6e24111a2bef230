import type { Locale } from '../../../domain/locales.ts';
import type { RenderedMail } from '../../../mail/render.ts';
import { endonym, type Translator } from '../../../i18n/index.ts';
import { html, type SafeHtml } from '../html.ts';

/** One mail as it will go out in one language, and to how many people. */
export interface MailPreview {
  /** What the mail is for, already translated for the organizer ("Offer", "Waitlist position"). */
  label: string;
  locale: Locale;
  count: number;
  mail: RenderedMail;
  /** The count is a maximum (the draw decides who gets which mail). */
  upTo?: boolean;
}

/**
 * Every mail a mass action will send, in each language it goes out in, rendered by the real templates
 * (src/mail/templates.ts) with sample values: capability links are placeholders, never real tokens.
 */
export function mailPreviews(t: Translator, previews: readonly MailPreview[]): SafeHtml {
  return html`<section class="mail-previews" aria-labelledby="previews-h"><h2 id="previews-h">${t('review.previews')}</h2>
${previews.length
  ? html`<p class="hint">${t('review.previews_hint')}</p>${previews.map(
      (p, i) => html`<article class="mail-preview" aria-labelledby="preview-${i}-h"><h3 id="preview-${i}-h">${p.label} · ${endonym(p.locale)} · ${t(p.upTo ? 'review.recipients_up_to' : 'review.recipients', { n: p.count })}</h3>
<div lang="${p.locale}"><p><strong>${t('review.subject')}:</strong> ${p.mail.subject}</p>
<pre class="mail-text">${p.mail.text}</pre></div></article>`,
    )}`
  : html`<p>${t('review.no_mail')}</p>`}
</section>`;
}
