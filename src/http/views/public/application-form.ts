import { LIMITS, RELATIONS } from '../../../domain/application.ts';
import { countryOptions } from '../../../domain/countries.ts';
import { type Event, localized } from '../../../domain/event.ts';
import { LOCALES } from '../../../domain/locales.ts';
import { endonym, type Translator } from '../../../i18n/index.ts';
import { html, paragraphs, type SafeHtml } from '../html.ts';
import { type FormErrors, checkbox, csrfField, errorSummary, radioGroup, selectField, textArea, textField } from '../form.ts';
import type { PageContext } from '../layout.ts';

import type { FormValues } from '../../form-input.ts';

export interface ApplicationFormOptions {
  event: Event;
  values: FormValues;
  errors: FormErrors;
  action: string;
  submitLabel: string;
  consentText: string;
  /** Editing: the email is fixed and consent was given already. The page's only heading above is its h1, so guest titles are h2. */
  editing?: boolean;
  captcha?: { challengeUrl: string } | null;
  formToken?: string;
  /** Extra hidden fields (the embedded form carries its parent page's origin). */
  hidden?: Record<string, string>;
}

function questionField(t: Translator, locale: string, event: Event, q: Event['questions'][number], o: ApplicationFormOptions): SafeHtml {
  const name = `answer_${q.id}`;
  const label = localized(q.label, locale, event.defaultLocale);
  const base = { name, label, value: o.values[name], errors: o.errors, required: q.required };
  switch (q.type) {
    case 'short_text':
      return textField(t, { ...base, maxlength: LIMITS.shortText });
    case 'long_text':
      return textArea(t, { ...base, maxlength: LIMITS.longText });
    case 'yes_no':
      return radioGroup(t, { ...base, options: [{ value: 'yes', label: t('form.yes') }, { value: 'no', label: t('form.no') }] });
    case 'single_choice':
      return radioGroup(t, {
        ...base,
        options: (q.options ?? []).map((op) => ({ value: op.id, label: localized(op.label, locale, event.defaultLocale) })),
      });
    case 'multiple_choice':
      return checkboxGroup(t, {
        ...base,
        hint: t('editor.public.choose_any'),
        options: (q.options ?? []).map((op) => ({ value: op.id, label: localized(op.label, locale, event.defaultLocale) })),
      });
    case 'number':
      return textField(t, { ...base, type: 'text', extra: { inputmode: 'decimal' }, maxlength: 20, hint: t('editor.public.number_hint') });
    case 'date':
      return textField(t, { ...base, type: 'date' });
  }
}

/** Several answers to one question: checkboxes of one name (the form joins them, comma-separated). */
function checkboxGroup(t: Translator, o: { name: string; label: string; hint: string; value?: string; errors: FormErrors; required?: boolean; options: { value: string; label: string }[] }): SafeHtml {
  const err = o.errors.get(o.name);
  const chosen = new Set((o.value ?? '').split(','));
  const describedBy = [`h-${o.name}`, err ? `e-${o.name}` : ''].filter(Boolean).join(' ');
  return html`<fieldset class="field checkboxes${err ? ' has-error' : ''}" id="f-${o.name}" aria-describedby="${describedBy}">
<legend>${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</legend>
<p class="hint" id="h-${o.name}">${o.hint}</p>
${err ? html`<p class="field-error" id="e-${o.name}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
${o.options.map(
  (op, i) => html`<div class="checkbox"><input type="checkbox" id="f-${o.name}-${i}" name="${o.name}" value="${op.value}"${chosen.has(op.value) ? html` checked` : ''}><label for="f-${o.name}-${i}">${op.label}</label></div>`,
)}
</fieldset>`;
}

/**
 * The application form. Works without JavaScript: every guest row the event allows is rendered
 * (empty rows are ignored), the server validates and re-renders with the person's input kept.
 * `novalidate`: the server's localized messages replace the browser's, which speak the browser's language.
 * The per-visitor hidden fields (CSRF token, one-time form token) come last, so a cached rendering of the public
 * page differs between visitors only in its last few hundred bytes (http/event-page-cache.ts, ADR 0012).
 */
export function applicationForm(ctx: PageContext, o: ApplicationFormOptions): SafeHtml {
  const { t, locale } = ctx;
  const { event, values, errors } = o;
  const maxGuests = event.maxPartySize - 1;
  const countries = countryOptions(locale);
  const preferred = new Set(event.preferredCountries);
  const countryOpts = [
    ...countries.filter((c) => preferred.has(c.code)),
    ...(event.othersMayApply ? countries.filter((c) => !preferred.has(c.code)) : []),
  ].map((c) => ({ value: c.code, label: c.name }));
  const countryHint = event.preferredCountries.length
    ? t(event.othersMayApply ? 'form.country_hint_preferred' : 'form.country_hint_only')
    : undefined;
  return html`<form method="post" action="${o.action}" novalidate class="application-form">
${errorSummary(t, errors)}
<fieldset><legend>${t('form.about_you')}</legend>
${textField(t, { name: 'name', label: t('form.name'), value: values.name, errors, required: true, autocomplete: 'name', maxlength: LIMITS.name })}
${o.editing
  ? html`<div class="field"><span class="label">${t('form.email')}</span><p class="static">${values.email}</p></div>`
  : textField(t, { name: 'email', type: 'email', label: t('form.email'), hint: t('form.email_hint'), value: values.email, errors, required: true, autocomplete: 'email' })}
${selectField(t, { name: 'country', label: t('form.country'), hint: countryHint, value: values.country, errors, required: true, autocomplete: 'country', placeholder: t('form.choose'), options: countryOpts })}
${selectField(t, { name: 'locale', label: t('form.language'), value: values.locale || locale, errors, required: true, options: LOCALES.map((l) => ({ value: l, label: endonym(l) })) })}
</fieldset>
${maxGuests > 0
  ? html`<fieldset class="guests"><legend>${t('form.guests')}</legend>
<p class="hint">${t('form.guests_hint', { max: maxGuests })}</p>
${errors.get('guests') ? html`<p class="field-error" id="e-guests">${errors.get('guests')}</p>` : ''}
${Array.from({ length: maxGuests }, (_, i) => html`<div class="guest-row" role="group" aria-labelledby="guest-${i}-title">
${o.editing
  ? html`<h2 id="guest-${i}-title" class="guest-title">${t('form.guest_n', { n: i + 1 })}</h2>`
  : html`<h3 id="guest-${i}-title" class="guest-title">${t('form.guest_n', { n: i + 1 })}</h3>`}
${textField(t, { name: `guest_name_${i}`, label: t('form.guest_name'), value: values[`guest_name_${i}`], errors, maxlength: LIMITS.name })}
${selectField(t, { name: `guest_relation_${i}`, label: t('form.guest_relation'), value: values[`guest_relation_${i}`], errors, placeholder: t('form.choose'), options: RELATIONS.map((r) => ({ value: r, label: t(`relation.${r}`) })) })}
</div>`)}
</fieldset>`
  : ''}
${event.questions.length
  ? html`<fieldset><legend>${t('form.questions')}</legend>${event.questions.map((q) => questionField(t, locale, event, q, o))}</fieldset>`
  : ''}
${o.editing
  ? ''
  : html`<fieldset><legend>${t('form.consent_legend')}</legend>
<div class="consent-text">${paragraphs(o.consentText)}</div>
${checkbox(t, { name: 'consent', label: t('form.consent'), checked: values.consent === 'yes', errors, required: true })}
</fieldset>`}
<div class="hp" aria-hidden="true"><label for="f-website">${t('form.honeypot')}</label><input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""></div>
${o.captcha
  ? html`<div class="field captcha${errors.get('altcha') ? ' has-error' : ''}">
${errors.get('altcha') ? html`<p class="field-error" id="e-altcha">${errors.get('altcha')}</p>` : ''}
<altcha-widget id="f-altcha" challenge="${o.captcha.challengeUrl}" name="altcha" language="${locale}" auto="onfocus" configuration="${JSON.stringify({ hideLogo: true, hideFooter: true })}"></altcha-widget>
<noscript><p class="hint">${t('form.captcha_noscript')}</p></noscript></div>`
  : ''}
${csrfField(ctx.csrfToken ?? '')}
${o.formToken ? html`<input type="hidden" name="form_token" value="${o.formToken}">` : ''}
${Object.entries(o.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<div class="actions"><button type="submit" class="primary">${o.submitLabel}</button></div>
</form>`;
}
