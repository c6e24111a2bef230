import type { FieldError } from '../../errors.ts';
import type { Translator } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';

/** Domain field path → HTML form field name: guests.0.name → guest_name_0, answers.why → answer_why. */
export function formFieldName(field: string): string {
  const g = field.match(/^guests\.(\d+)\.(name|relation)$/);
  if (g) return `guest_${g[2]}_${g[1]}`;
  const a = field.match(/^answers\.(.+)$/);
  if (a) return `answer_${a[1]}`;
  return field.replaceAll('.', '_');
}

export function errorMessage(t: Translator, e: FieldError): string {
  return t(`errors.field.${e.code}`, e.params);
}

export type FormErrors = Map<string, string>;

export function formErrors(t: Translator, errors: FieldError[]): FormErrors {
  const m: FormErrors = new Map();
  for (const e of errors) {
    const name = formFieldName(e.field);
    if (!m.has(name)) m.set(name, errorMessage(t, e));
  }
  return m;
}

/** GOV.UK-style summary: focusable, lists every problem, each links to its field. */
export function errorSummary(t: Translator, errors: FormErrors): SafeHtml {
  if (!errors.size) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t('form.error_summary')}</h2>
<ul>${[...errors].map(([name, msg]) => html`<li><a href="#f-${name}">${msg}</a></li>`)}</ul>
</div>`;
}

interface FieldOpts {
  name: string;
  label: string;
  value?: string;
  errors: FormErrors;
  required?: boolean;
  hint?: string;
  type?: string;
  autocomplete?: string;
  maxlength?: number;
  extra?: Record<string, string>;
}

function describedBy(name: string, hint: boolean, error: boolean): string | null {
  const ids = [hint ? `h-${name}` : '', error ? `e-${name}` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : null;
}

function fieldStart(o: { name: string; label: string; errors: FormErrors; required?: boolean; hint?: string }, t?: Translator): SafeHtml {
  const err = o.errors.get(o.name);
  return html`<label for="f-${o.name}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
${o.hint ? html`<p class="hint" id="h-${o.name}">${o.hint}</p>` : ''}
${err ? html`<p class="field-error" id="e-${o.name}"><span class="visually-hidden">${t ? t('form.error_prefix') : ''} </span>${err}</p>` : ''}`;
}

export function textField(t: Translator, o: FieldOpts): SafeHtml {
  const err = o.errors.get(o.name);
  const db = describedBy(o.name, !!o.hint, !!err);
  return html`<div class="field${err ? ' has-error' : ''}">${fieldStart(o, t)}
<input id="f-${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required ? html` required` : ''}${
    o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''
  }${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${db ? html` aria-describedby="${db}"` : ''}${err ? html` aria-invalid="true"` : ''}${Object.entries(o.extra ?? {}).map(
    ([k, v]) => html` ${k}="${v}"`,
  )}></div>`;
}

export function textArea(t: Translator, o: FieldOpts): SafeHtml {
  const err = o.errors.get(o.name);
  const db = describedBy(o.name, !!o.hint, !!err);
  return html`<div class="field${err ? ' has-error' : ''}">${fieldStart(o, t)}
<textarea id="f-${o.name}" name="${o.name}" rows="5"${o.required ? html` required` : ''}${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${
    db ? html` aria-describedby="${db}"` : ''
  }${err ? html` aria-invalid="true"` : ''}>${o.value ?? ''}</textarea></div>`;
}

export function selectField(t: Translator, o: FieldOpts & { options: { value: string; label: string }[]; placeholder?: string }): SafeHtml {
  const err = o.errors.get(o.name);
  const db = describedBy(o.name, !!o.hint, !!err);
  return html`<div class="field${err ? ' has-error' : ''}">${fieldStart(o, t)}
<select id="f-${o.name}" name="${o.name}"${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
    db ? html` aria-describedby="${db}"` : ''
  }${err ? html` aria-invalid="true"` : ''}>
${o.placeholder !== undefined ? html`<option value="">${o.placeholder}</option>` : ''}
${o.options.map((op) => html`<option value="${op.value}"${op.value === o.value ? html` selected` : ''}>${op.label}</option>`)}
</select></div>`;
}

export function radioGroup(t: Translator, o: FieldOpts & { options: { value: string; label: string }[] }): SafeHtml {
  const err = o.errors.get(o.name);
  return html`<fieldset class="field radios${err ? ' has-error' : ''}" id="f-${o.name}"${err ? html` aria-describedby="e-${o.name}"` : ''}>
<legend>${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</legend>
${err ? html`<p class="field-error" id="e-${o.name}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
${o.options.map(
  (op, i) => html`<div class="radio"><input type="radio" id="f-${o.name}-${i}" name="${o.name}" value="${op.value}"${op.value === o.value ? html` checked` : ''}${
    o.required ? html` required` : ''
  }><label for="f-${o.name}-${i}">${op.label}</label></div>`,
)}
</fieldset>`;
}

export function checkbox(t: Translator, o: FieldOpts & { checked: boolean }): SafeHtml {
  const err = o.errors.get(o.name);
  return html`<div class="field checkbox${err ? ' has-error' : ''}">
${err ? html`<p class="field-error" id="e-${o.name}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
<input type="checkbox" id="f-${o.name}" name="${o.name}" value="yes"${o.checked ? html` checked` : ''}${o.required ? html` required` : ''}${
    err ? html` aria-invalid="true" aria-describedby="e-${o.name}"` : ''
  }>
<label for="f-${o.name}">${o.label}</label></div>`;
}

export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}">`;
