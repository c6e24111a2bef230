import { contentFor, type Event, type EventStatus, MAX_QUESTIONS, QUESTION_TYPES } from '../../../domain/event.ts';
import { LOCALES } from '../../../domain/locales.ts';
import { timeZoneOptions } from '../../../domain/wall-time.ts';
import { type EventFormValues, formLanguages, slotCount } from '../../event-form-input.ts';
import { endonym, languageName, type Translator } from '../../../i18n/index.ts';
import { html, type SafeHtml } from '../html.ts';
import { countryPicker } from '../country-picker.ts';
import { checkbox, csrfField, type FormErrors, selectField, textArea, textField } from '../form.ts';

export interface EventFormPage {
  t: Translator;
  locale: string;
  csrfToken: string;
  values: EventFormValues;
  errors: FormErrors;
  /** null = a new event. */
  event: Event | null;
  /** Status changes offered on the edit page. */
  transitions: EventStatus[];
  saved: boolean;
  /** The control to focus after an editor action (a moved question, a new one, the country filter). */
  focus?: string | null;
}

const ZONES = timeZoneOptions();

const TOP_FIELDS = ['slug', 'defaultLocale', 'timezone', 'languages'];
const CONTENT_FIELDS = ['title', 'description', 'consent'] as const;
const LATER_FIELDS = [
  'startsAt', 'endsAt', 'venueName', 'venueAddress', 'applicationsOpenAt', 'applicationsCloseAt', 'capacity', 'maxPartySize', 'preferredCountries',
  'confirmHours', 'confirmUntil', 'inviteConfirmHours', 'mailSenderName', 'mailReplyTo', 'questions',
];
const QUESTION_FIELDS = [...LOCALES.map((l) => `label_${l}`), 'type', 'id', 'required', 'options'];

/** Field names in the order the form shows them, so the error summary reads top to bottom. */
function fieldOrder(slots: number): string[] {
  return [
    ...TOP_FIELDS,
    ...LOCALES.flatMap((l) => CONTENT_FIELDS.map((f) => `content_${l}_${f}`)),
    ...LATER_FIELDS,
    ...Array.from({ length: slots }, (_, s) => QUESTION_FIELDS.map((f) => `questions_${s}_${f}`)).flat(),
  ];
}

/** What the summary calls a field ("Title (German)", "Question 2: Options"), so "This field is required" says which. */
function fieldLabel(t: Translator, locale: string, name: string): string {
  const lang = (l: string) => languageName(l, locale);
  const content = /^content_(\w+)_(title|description|consent)$/.exec(name);
  if (content) return `${t(`admin.editor.${content[2] === 'title' ? 'event_title' : content[2]}`)} (${lang(content[1])})`;
  const q = /^questions_(\d+)_(\w+)$/.exec(name);
  if (q) {
    const n = Number(q[1]) + 1;
    const label = /^label_(\w+)$/.exec(q[2]);
    const part = label
      ? t('admin.editor.question_label', { language: lang(label[1]) })
      : t(`admin.editor.${{ type: 'question_type', id: 'question_id', options: 'question_options_short', required: 'question_required' }[q[2]] ?? 'questions'}`);
    return `${t('admin.editor.question_n', { n })}: ${part}`;
  }
  const keys: Record<string, string> = {
    slug: 'slug', defaultLocale: 'default_locale', timezone: 'timezone', startsAt: 'starts_at', endsAt: 'ends_at', venueName: 'venue_name',
    venueAddress: 'venue_address', applicationsOpenAt: 'open_at', applicationsCloseAt: 'close_at', capacity: 'capacity', maxPartySize: 'max_party',
    preferredCountries: 'preferred_countries', questions: 'questions',
  };
  const mine: Record<string, string> = {
    confirmHours: 'confirm_hours', confirmUntil: 'confirm_until', inviteConfirmHours: 'invite_hours', mailSenderName: 'sender_name', mailReplyTo: 'reply_to',
  };
  if (mine[name]) return t(`editor.${mine[name]}`);
  return keys[name] ? t(`admin.editor.${keys[name]}`) : name;
}

function summary(t: Translator, locale: string, errors: FormErrors, slots: number): SafeHtml {
  if (!errors.size) return html``;
  const order = fieldOrder(slots);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const sorted = [...errors].sort((a, b) => rank(a[0]) - rank(b[0]));
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t('form.error_summary')}</h2>
<ul>${sorted.map(([name, msg]) => html`<li><a href="#f-${name}">${fieldLabel(t, locale, name)}: ${msg}</a></li>`)}</ul>
</div>`;
}

/**
 * The languages the event is offered in. Only their text blocks are shown (the others stay in the form, hidden, so
 * nothing typed is lost); without JavaScript "Show their text blocks" re-renders the editor, with it the blocks
 * appear as a box is ticked. Names: the language's own name and, after it, its name in the editor's language.
 */
function languagesField(t: Translator, locale: string, v: EventFormValues, errors: FormErrors, focus: string | null): SafeHtml {
  const enabled = new Set(formLanguages(v));
  const err = errors.get('languages');
  return html`<fieldset class="field languages${err ? ' has-error' : ''}" id="f-languages" aria-describedby="h-languages"${focus === 'f-languages' ? html` tabindex="-1" autofocus` : ''}>
<legend>${t('brand.languages')}</legend>
<p class="hint" id="h-languages">${t('brand.languages_hint')}</p>
${err ? html`<p class="field-error" id="e-languages">${err}</p>` : ''}
<ul class="checks">${LOCALES.map((l) => {
    const own = endonym(l);
    const here = languageName(l, locale);
    return html`<li><div class="checkbox"><input type="checkbox" id="f-languages-${l}" name="languages" value="${l}"${enabled.has(l) ? html` checked` : ''}><label for="f-languages-${l}"><span lang="${l}">${own}</span>${own === here ? '' : html` <span class="muted">(${here})</span>`}</label></div></li>`;
  })}</ul>
<button type="submit" name="editor_action" value="languages" class="js-hide">${t('brand.languages_apply')}</button>
</fieldset>`;
}

/** Preferred countries: the shared country picker (views/country-picker.ts). */
function countriesField(t: Translator, locale: string, v: EventFormValues, errors: FormErrors, focus: string | null): SafeHtml {
  return countryPicker(t, locale, {
    name: 'preferredCountries',
    legend: t('admin.editor.preferred_countries'),
    hint: t('editor.countries_hint'),
    chosen: new Set((v.preferredCountries ?? '').split(/\s+/).filter(Boolean)),
    filter: v.country_filter ?? '',
    filterButton: { name: 'editor_action', value: 'filter' },
    errors,
    focus: focus === 'f-country_filter',
  });
}

function questionSlot(t: Translator, locale: string, v: EventFormValues, errors: FormErrors, s: number, slots: number, focus: string | null): SafeHtml {
  const enabled = new Set(formLanguages(v));
  const p = `questions_${s}_`;
  const filled = !!(v[`${p}id`] || LOCALES.some((l) => v[`${p}label_${l}`]) || v[`${p}options`]);
  const n = s + 1;
  const firstLabel = `${p}label_${LOCALES.includes(v.defaultLocale as never) ? v.defaultLocale : 'en'}`;
  return html`<fieldset class="question" id="q-${s}"${focus === `q-${s}` ? html` tabindex="-1" autofocus` : ''}>
<legend>${filled ? t('admin.editor.question_n', { n }) : t('admin.editor.question_new', { n })}</legend>
<div class="cols">
${LOCALES.map((l) => html`<div data-lang="${l}"${enabled.has(l) ? '' : html` hidden`}>${textField(t, {
  name: `${p}label_${l}`,
  label: t('admin.editor.question_label', { language: languageName(l, locale) }),
  value: v[`${p}label_${l}`],
  errors,
  maxlength: 300,
  extra: focus === `f-${firstLabel}` && `${p}label_${l}` === firstLabel ? { autofocus: '' } : undefined,
})}</div>`)}
</div>
<div class="cols">
${selectField(t, {
  name: `${p}type`,
  label: t('admin.editor.question_type'),
  hint: t('editor.question_type_hint'),
  value: v[`${p}type`] ?? 'short_text',
  errors,
  options: QUESTION_TYPES.map((qt) => ({ value: qt, label: t(qt === 'multiple_choice' || qt === 'number' || qt === 'date' ? `editor.type_${qt}` : `admin.editor.type_${qt}`) })),
})}
${textField(t, { name: `${p}id`, label: t('admin.editor.question_id'), hint: t('admin.editor.question_id_hint'), value: v[`${p}id`], errors, maxlength: 40 })}
</div>
${checkbox(t, { name: `${p}required`, label: t('admin.editor.question_required'), checked: v[`${p}required`] === 'yes', errors })}
${textArea(t, { name: `${p}options`, label: t('editor.question_options'), hint: `${t('editor.options_hint')} ${t('brand.options_order', { languages: new Intl.ListFormat(locale, { type: 'conjunction' }).format([...enabled].map((l) => languageName(l, locale))) })}`, value: v[`${p}options`], errors })}
<div class="actions question-actions" role="group" aria-label="${t('editor.question_actions', { n })}">
${s > 0 ? html`<button type="submit" name="editor_action" value="up:${s}" aria-label="${t('editor.move_up_n', { n })}">${t('editor.move_up')}</button>` : ''}
${s < slots - 1 ? html`<button type="submit" name="editor_action" value="down:${s}" aria-label="${t('editor.move_down_n', { n })}">${t('editor.move_down')}</button>` : ''}
<button type="submit" name="editor_action" value="remove:${s}" class="danger" aria-label="${t('editor.remove_n', { n })}">${t('editor.remove')}</button>
</div>
</fieldset>`;
}

/** Confirm deadlines (domain/deadlines.ts): hours after the offer, or one date and time; invites may differ. */
function deadlinesFieldset(t: Translator, v: EventFormValues, errors: FormErrors): SafeHtml {
  const mode = v.confirmMode === 'date' ? 'date' : 'hours';
  return html`<fieldset><legend>${t('editor.deadlines')}</legend>
<p class="hint">${t('editor.deadlines_hint')}</p>
<fieldset class="field radios"><legend>${t('editor.confirm_mode')}</legend>
<div class="radio"><input type="radio" id="f-confirmMode-hours" name="confirmMode" value="hours"${mode === 'hours' ? html` checked` : ''}><label for="f-confirmMode-hours">${t('editor.confirm_mode_hours')}</label></div>
<div class="radio"><input type="radio" id="f-confirmMode-date" name="confirmMode" value="date"${mode === 'date' ? html` checked` : ''}><label for="f-confirmMode-date">${t('editor.confirm_mode_date')}</label></div>
</fieldset>
<div class="cols">
${textField(t, { name: 'confirmHours', type: 'number', label: t('editor.confirm_hours'), hint: t('editor.confirm_hours_hint'), value: v.confirmHours, errors })}
${textField(t, { name: 'confirmUntil', type: 'datetime-local', label: t('editor.confirm_until'), hint: t('editor.confirm_until_hint'), value: v.confirmUntil, errors })}
</div>
${textField(t, { name: 'inviteConfirmHours', type: 'number', label: t('editor.invite_hours'), hint: t('editor.invite_hours_hint'), value: v.inviteConfirmHours, errors })}
</fieldset>`;
}

function mailFieldset(t: Translator, v: EventFormValues, errors: FormErrors): SafeHtml {
  return html`<fieldset><legend>${t('editor.mail')}</legend>
<div class="cols">
${textField(t, { name: 'mailSenderName', label: t('editor.sender_name'), hint: t('editor.sender_name_hint'), value: v.mailSenderName, errors, maxlength: 100 })}
${textField(t, { name: 'mailReplyTo', type: 'email', label: t('editor.reply_to'), hint: t('editor.reply_to_hint'), value: v.mailReplyTo, errors, autocomplete: 'off' })}
</div>
</fieldset>`;
}

/**
 * The editor. Its first submit button is a visually hidden "save": Enter in a text field clicks the form's first
 * submit button, and that must save rather than move a question or filter the countries.
 */
export function eventFormBody(o: EventFormPage): SafeHtml {
  const { t, values: v, errors } = o;
  const action = o.event ? `/admin/events/${o.event.id}/edit` : '/admin/events/new';
  const title = o.event ? t('admin.editor.title_edit') : t('admin.editor.title_new');
  const slots = slotCount(v);
  const enabledLanguages = new Set(formLanguages(v));
  return html`<div class="editor"><p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a>${o.event ? html` · <a href="/admin/events/${o.event.id}">${contentFor(o.event, o.locale).title}</a>` : ''}</p>
<h1>${title}</h1>
${o.saved ? html`<p class="notice success" role="status">${t('admin.editor.saved')}</p>` : ''}
${summary(t, o.locale, errors, slots)}
${o.event ? statusSection(o, o.event) : ''}
<form method="post" action="${action}" class="event-form" id="event-form" novalidate>${csrfField(o.csrfToken)}
<input type="hidden" name="question_slots" value="${String(slots)}">
<button type="submit" class="default-submit" tabindex="-1" aria-hidden="true">${o.event ? t('admin.editor.save') : t('admin.editor.create')}</button>

<fieldset><legend>${t('admin.editor.basics')}</legend>
${textField(t, { name: 'slug', label: t('admin.editor.slug'), hint: `${t('admin.editor.slug_hint')} ${t('editor.slug_from_title')}`, value: v.slug, errors, maxlength: 64, autocomplete: 'off' })}
<div class="cols">
${selectField(t, {
  name: 'defaultLocale',
  label: t('admin.editor.default_locale'),
  hint: t('admin.editor.default_locale_hint'),
  value: v.defaultLocale,
  errors,
  required: true,
  options: LOCALES.map((l) => ({ value: l, label: endonym(l) })),
})}
${selectField(t, {
  name: 'timezone',
  label: t('admin.editor.timezone'),
  hint: t('admin.editor.timezone_hint'),
  value: v.timezone,
  errors,
  required: true,
  options: (v.timezone && !ZONES.includes(v.timezone) ? [v.timezone, ...ZONES] : ZONES).map((z) => ({ value: z, label: z.replaceAll('_', ' ') })),
})}
</div>
</fieldset>

${languagesField(t, o.locale, v, errors, o.focus ?? null)}

${LOCALES.map(
  (l) => html`<fieldset data-lang="${l}"${enabledLanguages.has(l) ? '' : html` hidden`}><legend>${t('admin.editor.texts_in', { language: languageName(l, o.locale) })}</legend>
${textField(t, { name: `content_${l}_title`, label: t('admin.editor.event_title'), value: v[`content_${l}_title`], errors, maxlength: 200, required: v.defaultLocale === l })}
${textArea(t, { name: `content_${l}_description`, label: t('admin.editor.description'), hint: t('admin.editor.description_hint'), value: v[`content_${l}_description`], errors })}
${textArea(t, { name: `content_${l}_consent`, label: t('admin.editor.consent'), hint: t('admin.editor.consent_hint'), value: v[`content_${l}_consent`], errors })}
</fieldset>`,
)}

<fieldset><legend>${t('admin.editor.when_where')}</legend>
<p class="hint">${t('admin.editor.times_in_zone', { zone: (v.timezone ?? '').replaceAll('_', ' ') || '—' })}</p>
${checkbox(t, { name: 'startsTba', label: t('admin.editor.starts_tba'), checked: v.startsTba === 'yes', errors })}
<div class="cols">
${textField(t, { name: 'startsAt', type: 'datetime-local', label: t('admin.editor.starts_at'), hint: t('admin.editor.starts_at_hint'), value: v.startsAt, errors })}
${textField(t, { name: 'endsAt', type: 'datetime-local', label: t('admin.editor.ends_at'), hint: t('admin.editor.optional'), value: v.endsAt, errors })}
</div>
${checkbox(t, { name: 'venueTba', label: t('admin.editor.venue_tba'), checked: v.venueTba === 'yes', errors })}
${textField(t, { name: 'venueName', label: t('admin.editor.venue_name'), hint: t('admin.editor.venue_hint'), value: v.venueName, errors, maxlength: 200 })}
${textArea(t, { name: 'venueAddress', label: t('admin.editor.venue_address'), value: v.venueAddress, errors, maxlength: 500 })}
</fieldset>

<fieldset><legend>${t('admin.editor.intake')}</legend>
<div class="cols">
${textField(t, { name: 'applicationsOpenAt', type: 'datetime-local', label: t('admin.editor.open_at'), hint: t('admin.editor.open_at_hint'), value: v.applicationsOpenAt, errors })}
${textField(t, { name: 'applicationsCloseAt', type: 'datetime-local', label: t('admin.editor.close_at'), hint: t('admin.editor.close_at_hint'), value: v.applicationsCloseAt, errors })}
</div>
<div class="cols">
${textField(t, { name: 'capacity', type: 'number', label: t('admin.editor.capacity'), hint: t('admin.editor.capacity_hint'), value: v.capacity, errors, required: true })}
${textField(t, { name: 'maxPartySize', type: 'number', label: t('admin.editor.max_party'), hint: t('admin.editor.max_party_hint'), value: v.maxPartySize, errors, required: true })}
</div>
${countriesField(t, o.locale, v, errors, o.focus ?? null)}
${checkbox(t, { name: 'othersMayApply', label: t('admin.editor.others_may_apply'), checked: v.othersMayApply === 'yes', errors })}
</fieldset>

${deadlinesFieldset(t, v, errors)}
${mailFieldset(t, v, errors)}

<fieldset class="questions"><legend>${t('admin.editor.questions')}</legend>
<p class="hint">${t('editor.questions_hint')}</p>
${errors.get('questions') ? html`<p class="field-error" id="f-questions">${errors.get('questions')}</p>` : ''}
${Array.from({ length: slots }, (_, s) => questionSlot(t, o.locale, v, errors, s, slots, o.focus ?? null))}
${slots < MAX_QUESTIONS ? html`<div class="actions"><button type="submit" name="editor_action" value="add" id="add-question"${o.focus === 'add-question' ? html` autofocus` : ''}>${t('editor.add_question')}</button></div>` : ''}
</fieldset>

<div class="actions"><button type="submit" class="primary">${o.event ? t('admin.editor.save') : t('admin.editor.create')}</button>
<a href="/admin">${t('admin.editor.cancel')}</a></div>
</form></div>`;
}

function statusSection(o: EventFormPage, event: Event): SafeHtml {
  const { t } = o;
  return html`<section class="status-bar" aria-labelledby="status-h"><h2 id="status-h" class="visually-hidden">${t('admin.editor.status')}</h2>
<p>${t('admin.editor.status_now', { status: t(`admin.events.status_${event.status}`) })}</p>
${o.transitions.map(
    (to) => html`<form method="post" action="/admin/events/${event.id}/status" class="inline">${csrfField(o.csrfToken)}
<input type="hidden" name="status" value="${to}"><input type="hidden" name="back" value="edit">
<button type="submit"${to === 'closed' ? html` class="danger"` : ''}>${t(`admin.editor.to_${to}`)}</button></form>`,
  )}
<a href="/e/${event.slug}">${t('admin.events.public_page')}</a>
<a href="/admin/events/${event.id}/preview">${t('editor.preview_link')}</a>
<a href="/admin/events/${event.id}/offers">${t('deadlines.offers_link')}</a>
<a href="/admin/events/${event.id}/applications">${t('admin.apps.title')}</a></section>`;
}
