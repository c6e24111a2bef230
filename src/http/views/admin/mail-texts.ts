import type { Event } from '../../../domain/event.ts';
import { contentFor } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import type { RenderedMail } from '../../../mail/render.ts';
import { BODY_MAX, SUBJECT_MAX, type EditableMailName } from '../../../services/mail-texts.ts';
import { csrfField, errorSummary, textField, type FormErrors } from '../form.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';
import { eventTabs } from './event-tabs.ts';

const mailLabel = (ctx: PageContext, name: string) => ctx.t(`mailtexts.mail.${name}`);
export const mailTextPath = (eventId: string, name: string, locale: string) => `/admin/events/${eventId}/mail-texts/${encodeURIComponent(name)}/${locale}`;

/** Every built-in mail × language: built-in or custom, each with its editor. */
export function mailTextsPage(
  ctx: PageContext,
  o: { event: Event; role: string; names: readonly EditableMailName[]; locales: readonly Locale[]; custom: Set<string>; notice: string | null; autoMails: SafeHtml },
): SafeHtml {
  const { t } = ctx;
  return html`${eventTabs(t, o.event, 'mail', o.role)}<article class="mail-texts">
<p class="eyebrow">${contentFor(o.event, ctx.locale).title}</p>
<h1>${t('mailtexts.title')}</h1>
${o.notice ? html`<p class="notice success" role="status">${o.notice}</p>` : ''}
${o.autoMails}
<h2>${t('mailtexts.texts_title')}</h2>
<p>${t('mailtexts.intro')}</p>
<table class="data">
<caption class="visually-hidden">${t('mailtexts.texts_title')}</caption>
<thead><tr><th scope="col">${t('mailtexts.col_mail')}</th>${o.locales.map((l) => html`<th scope="col">${t(`language.${l}`)}</th>`)}</tr></thead>
<tbody>${o.names.map(
    (n) => html`<tr><th scope="row">${mailLabel(ctx, n)}</th>${o.locales.map(
      (l) => html`<td><a href="${mailTextPath(o.event.id, n, l)}" lang="${ctx.locale}">${t(o.custom.has(`${n}:${l}`) ? 'mailtexts.state_custom' : 'mailtexts.state_default')}<span class="visually-hidden"> — ${mailLabel(ctx, n)}, ${t(`language.${l}`)}</span></a></td>`,
    )}</tr>`,
  )}</tbody>
</table>
</article>`;
}

/** The editor of one mail in one language: subject, body, the placeholders; preview, save, reset. */
export function mailTextEditor(
  ctx: PageContext,
  o: {
    event: Event;
    role: string;
    name: EditableMailName;
    locale: Locale;
    values: { subject: string; body: string };
    placeholders: readonly string[];
    required: readonly string[];
    custom: boolean;
    errors: FormErrors;
    preview: RenderedMail | null;
    notice: string | null;
  },
): SafeHtml {
  const { t } = ctx;
  const action = mailTextPath(o.event.id, o.name, o.locale);
  const err = o.errors.get('body');
  return html`${eventTabs(t, o.event, 'mail', o.role)}<article class="mail-text-editor">
<p class="eyebrow"><a href="/admin/events/${o.event.id}/mail-texts">${t('mailtexts.title')}</a></p>
<h1>${t('mailtexts.edit_title', { mail: mailLabel(ctx, o.name), language: t(`language.${o.locale}`) })}</h1>
${o.notice ? html`<p class="notice success" role="status">${o.notice}</p>` : ''}
${errorSummary(t, o.errors)}
<p class="badge">${t(o.custom ? 'mailtexts.state_custom' : 'mailtexts.state_default')}</p>
<section aria-labelledby="ph-h"><h2 id="ph-h">${t('mailtexts.placeholders')}</h2>
<p class="hint">${t('mailtexts.placeholders_hint')}</p>
<ul class="placeholders">${o.placeholders.map(
    (p) => html`<li><code>{${p}}</code> — ${t(`mailtexts.ph.${p}`)}${o.required.includes(p) ? html` <strong>(${t('mailtexts.required')})</strong>` : ''}</li>`,
  )}</ul></section>
<form method="post" action="${action}" novalidate>
${csrfField(ctx.csrfToken ?? '')}
${textField(t, { name: 'subject', label: t('mailtexts.subject'), value: o.values.subject, errors: o.errors, maxlength: SUBJECT_MAX })}
<div class="field${err ? ' has-error' : ''}"><label for="f-body">${t('mailtexts.body')}</label>
<p class="hint" id="h-body">${t('mailtexts.body_hint')}</p>
${err ? html`<p class="field-error" id="e-body"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
<textarea id="f-body" name="body" rows="16" maxlength="${BODY_MAX}" aria-describedby="h-body${err ? ' e-body' : ''}"${err ? html` aria-invalid="true"` : ''} lang="${o.locale}">${o.values.body}</textarea></div>
<div class="actions">
<button type="submit" name="action" value="preview">${t('mailtexts.preview')}</button>
<button type="submit" name="action" value="save" class="primary">${t('mailtexts.save')}</button>
</div>
</form>
${o.custom
  ? html`<form method="post" action="${action}/reset">
${csrfField(ctx.csrfToken ?? '')}
<div class="actions"><button type="submit" class="danger">${t('mailtexts.reset')}</button></div>
</form>`
  : ''}
${o.preview
  ? html`<section class="mail-previews" aria-labelledby="preview-h"><h2 id="preview-h">${t('mailtexts.preview_title')}</h2>
<p class="hint">${t('mailtexts.preview_hint')}</p>
<article class="mail-preview" lang="${o.locale}"><p><strong>${t('review.subject')}:</strong> ${o.preview.subject}</p>
<pre class="mail-text">${o.preview.text}</pre></article></section>`
  : ''}
</article>`;
}
