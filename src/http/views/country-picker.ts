import { countryName, countryOptions } from '../../domain/countries.ts';
import type { Translator } from '../../i18n/index.ts';
import type { FormErrors } from './form.ts';
import { html, type SafeHtml } from './html.ts';

export interface CountryPickerOptions {
  /** The checkboxes' name (one value per ticked country, ISO 3166-1 alpha-2). */
  name: string;
  legend: string;
  hint: string;
  chosen: ReadonlySet<string>;
  /** What the filter field holds (a post without JavaScript narrows the list on the server). */
  filter: string;
  /** The submit button that applies the filter without JavaScript: its name and value. */
  filterButton: { name: string; value: string };
  errors: FormErrors;
  /** Focus the filter field (after "Show matching countries"). */
  focus?: boolean;
}

const norm = (x: string) => x.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/**
 * Countries as checkboxes with localized names (Intl.DisplayNames), not a 250-line multi-select. The chosen ones
 * come first (always shown); the rest can be narrowed by a filter — a form post without JavaScript ("Show
 * matching"), live filtering with /assets/event-editor.js. Every control is a plain labelled checkbox, so keyboards
 * and screen readers need nothing else. Used by the event form (preferred countries) and the message segment.
 */
export function countryPicker(t: Translator, locale: string, o: CountryPickerOptions): SafeHtml {
  const { name, chosen } = o;
  const all = countryOptions(locale);
  const filter = o.filter.trim();
  const matches = (c: { code: string; name: string }) => !filter || norm(c.name).includes(norm(filter)) || c.code.toLowerCase() === norm(filter);
  const shown = all.filter((c) => !chosen.has(c.code)).filter(matches);
  const err = o.errors.get(name);
  const box = (c: { code: string; name: string }, checked: boolean) =>
    html`<div class="checkbox country-option" data-name="${norm(c.name)}" data-code="${c.code.toLowerCase()}"><input type="checkbox" id="f-${name}-${c.code}" name="${name}" value="${c.code}"${
      checked ? html` checked` : ''
    }><label for="f-${name}-${c.code}">${c.name}</label></div>`;
  return html`<fieldset class="field countries${err ? ' has-error' : ''}" id="f-${name}" aria-describedby="h-${name}${err ? ` e-${name}` : ''}">
<legend>${o.legend}</legend>
<p class="hint" id="h-${name}">${o.hint}</p>
${err ? html`<p class="field-error" id="e-${name}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
<div class="country-chosen" role="group" aria-labelledby="countries-chosen-h"><p id="countries-chosen-h" class="label">${t('editor.countries_chosen', { n: chosen.size })}</p>
${chosen.size ? all.filter((c) => chosen.has(c.code)).map((c) => box(c, true)) : html`<p class="muted">${t('admin.editor.chosen_none')}</p>`}</div>
<div class="country-filter"><label for="f-country_filter">${t('editor.country_filter')}</label>
<div class="inline-field"><input type="search" id="f-country_filter" name="country_filter" value="${filter}" autocomplete="off" aria-describedby="country-count"${o.focus ? html` autofocus` : ''}>
<button type="submit" name="${o.filterButton.name}" value="${o.filterButton.value}" class="js-hide">${t('editor.country_filter_apply')}</button></div>
<p class="hint" id="country-count" aria-live="polite" data-template="${t('editor.country_count', { n: '{n}' })}">${t('editor.country_count', { n: shown.length })}</p></div>
<div class="country-list" role="group" aria-label="${t('editor.countries_all')}">
${shown.map((c) => box(c, false))}
</div>
</fieldset>`;
}

/** Country codes as their names in the reader's language, in the order given ("Germany, Austria"). */
export function countryNames(codes: readonly string[], locale: string): string {
  const names = codes.map((c) => countryName(c, locale));
  try {
    return new Intl.ListFormat(locale, { style: 'short', type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}
