import type { Event } from '../../../domain/event.ts';
import { AUTO_MAIL_KINDS, MAX_OFFSET_HOURS, type AutoMailKind, type AutoMailSetting } from '../../../services/auto-mails.ts';
import { csrfField, errorSummary, textField, type FormErrors } from '../form.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';

/** Switch the automatic reminder and thank-you on or off, and when they go. */
export function autoMailsSection(
  ctx: PageContext,
  o: { event: Event; settings: Record<AutoMailKind, AutoMailSetting>; errors: FormErrors; values?: Record<string, string> },
): SafeHtml {
  const { t } = ctx;
  const checked = (k: AutoMailKind) => (o.values ? o.values[`${k}_enabled`] === 'yes' : o.settings[k].enabled);
  const hours = (k: AutoMailKind) => (o.values ? (o.values[`${k}_hours`] ?? '') : String(o.settings[k].offsetHours));
  return html`<section aria-labelledby="auto-h"><h2 id="auto-h">${t('mailtexts.auto_title')}</h2>
<p>${t('mailtexts.auto_intro')}</p>
${errorSummary(t, o.errors)}
<form method="post" action="/admin/events/${o.event.id}/mail-texts/automatic" novalidate>
${csrfField(ctx.csrfToken ?? '')}
${AUTO_MAIL_KINDS.map(
  (k) => html`<fieldset><legend>${t(`mailtexts.auto_${k}`)}</legend>
<div class="checkbox"><input type="checkbox" id="f-${k}_enabled" name="${k}_enabled" value="yes"${checked(k) ? html` checked` : ''}><label for="f-${k}_enabled">${t('mailtexts.auto_enabled')}</label></div>
${textField(t, { name: `${k}_hours`, label: t(`mailtexts.auto_${k}_hours`), type: 'number', value: hours(k), errors: o.errors, extra: { min: '1', max: String(MAX_OFFSET_HOURS), inputmode: 'numeric' } })}
</fieldset>`,
)}
<div class="actions"><button type="submit" class="primary">${t('mailtexts.auto_save')}</button></div>
</form></section>`;
}
