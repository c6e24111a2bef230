import type { FieldError } from '../errors.ts';
import { EVENT_DEFAULTS, type Event, eventLanguages, type EventInput, hasOptions, isTimeZone, MAX_QUESTIONS, type Question, type QuestionType } from '../domain/event.ts';
import { LOCALES, type Locale, isLocale } from '../domain/locales.ts';
import { utcToWallTime, wallTimeToUtc } from '../domain/wall-time.ts';

/**
 * The event editor's form ↔ EventInput. Field names follow formFieldName() of the domain paths
 * (content.de.title → content_de_title), so domain errors land on the right field. Times are typed as
 * wall-clock time in the event's own zone (datetime-local) and stored as UTC ISO strings.
 */

export type EventFormValues = Record<string, string>;

/** Question slots: every existing question plus this many empty ones (no JavaScript needed to add one). */
export const EMPTY_QUESTION_SLOTS = 2;
const MAX_SLOTS = MAX_QUESTIONS + EMPTY_QUESTION_SLOTS;

export const TIME_FIELDS = ['startsAt', 'endsAt', 'applicationsOpenAt', 'applicationsCloseAt'] as const;

export interface ParsedEventForm {
  input: EventInput;
  /** Problems only the form can see (a TBA box unticked but no time given, an unreadable time); domain paths. */
  errors: FieldError[];
  /** input.questions[i] came from form slot slots[i] (empty slots are skipped). */
  slots: number[];
  /** The slug field was empty: input.slug was made from the title (the caller may add -2, -3 if it is taken). */
  slugFromTitle: boolean;
}

/** Flat string values of an urlencoded body; repeated keys (a multi-select) are joined by spaces. */
export function eventFormValues(body: unknown): EventFormValues {
  const out: EventFormValues = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((x) => x.replace(/\r\n?/g, '\n'));
    if (!list.length) continue;
    out[k] = k === 'preferredCountries' || k === 'languages' ? list.join(' ') : list[list.length - 1];
  }
  return out;
}

export const slotCount = (v: EventFormValues): number => {
  const n = Number(v.question_slots);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_SLOTS) : EMPTY_QUESTION_SLOTS;
};

/** A stable, plain id from a label: "Why would you come?" → "why_would_you_come". */
export function idFromLabel(label: string, taken: Set<string>, fallback: string): string {
  const base =
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 32)
      .replace(/_+$/, '') || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

/**
 * The languages the organizer enabled for the event (the "languages" checkboxes), the default among them, in list
 * order. A post without the checkboxes (a script, an older form) enables the languages it has texts for. Only these
 * get text blocks.
 */
export function formLanguages(v: EventFormValues): Locale[] {
  const withText = (l: Locale) => ['title', 'description', 'consent'].some((f) => (v[`content_${l}_${f}`] ?? '').trim());
  const chosen = new Set(v.languages === undefined ? LOCALES.filter(withText) : v.languages.split(/\s+/).filter(isLocale));
  if (isLocale(v.defaultLocale)) chosen.add(v.defaultLocale);
  return LOCALES.filter((l) => chosen.has(l));
}

/**
 * Options textarea: one per line, "id | English | Deutsch" — labels in the event's languages, in list order;
 * without an id ("English | Deutsch") one is derived.
 */
export function parseOptions(text: string, languages: readonly Locale[] = LOCALES): { id: string; label: Partial<Record<Locale, string>> }[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const taken = new Set<string>();
  const parsed = lines.map((line) => line.split('|').map((p) => p.trim()));
  // Explicit ids first, so a derived id never takes one the organizer wrote on a later line.
  for (const parts of parsed) if (parts.length > languages.length) taken.add(parts[0]);
  return parsed.map((parts, i) => {
    const explicit = parts.length > languages.length;
    const labels = explicit ? parts.slice(1) : parts;
    const label: Partial<Record<Locale, string>> = {};
    languages.forEach((l, j) => {
      if (labels[j]) label[l] = labels[j];
    });
    if (explicit) return { id: parts[0], label };
    const id = idFromLabel(labels.find(Boolean) ?? '', taken, `option_${i + 1}`);
    taken.add(id);
    return { id, label };
  });
}

export const formatOptions = (q: Question, languages: readonly Locale[] = LOCALES): string =>
  (q.options ?? []).map((o) => [o.id, ...languages.map((l) => o.label[l] ?? '')].join(' | ')).join('\n');

const yes = (v: string | undefined) => v === 'yes' || v === 'on';

export function parseEventForm(v: EventFormValues, base: { status: Event['status'] }): ParsedEventForm {
  const errors: FieldError[] = [];
  const timezone = (v.timezone ?? '').trim();
  const times = {} as Record<(typeof TIME_FIELDS)[number], string | null>;
  const startsTba = yes(v.startsTba);
  // With an unknown zone no wall time can be read; the domain reports the zone, not four times.
  const zoneKnown = isTimeZone(timezone);
  for (const f of TIME_FIELDS) {
    const raw = (v[f] ?? '').trim();
    // While the date is to be announced, start and end are not stored (what was typed stays in the form).
    if (!raw || (startsTba && (f === 'startsAt' || f === 'endsAt'))) {
      times[f] = null;
      continue;
    }
    times[f] = wallTimeToUtc(raw, timezone);
    if (times[f] === null && zoneKnown) errors.push({ field: f, code: 'invalid_datetime' });
  }
  if (!startsTba && !(v.startsAt ?? '').trim()) errors.push({ field: 'startsAt', code: 'time_or_tba' });

  const venueTba = yes(v.venueTba);
  const venueName = venueTba ? null : (v.venueName ?? '').trim() || null;
  const venueAddress = venueTba ? null : (v.venueAddress ?? '').trim() || null;
  if (!venueTba && !venueName) errors.push({ field: 'venueName', code: 'venue_or_tba' });

  const languages = formLanguages(v);
  const explicitLanguages = v.languages !== undefined;
  const content: EventInput['content'] = {};
  for (const l of languages) {
    const c = { title: (v[`content_${l}_title`] ?? '').trim(), description: (v[`content_${l}_description`] ?? '').trim(), consent: (v[`content_${l}_consent`] ?? '').trim() };
    if (c.title || c.description || c.consent) content[l] = c;
    // An enabled language is offered to visitors, so it needs at least its title (the default's is checked by the domain).
    if (explicitLanguages && !c.title && l !== v.defaultLocale) errors.push({ field: `content.${l}.title`, code: 'required' });
  }
  const defaultLocale = (isLocale(v.defaultLocale) ? v.defaultLocale : v.defaultLocale ?? '') as Locale;

  const questions: Question[] = [];
  const slots: number[] = [];
  const ids = new Set<string>();
  const n = slotCount(v);
  for (let s = 0; s < n; s++) {
    const id = (v[`questions_${s}_id`] ?? '').trim();
    if (id) ids.add(id); // typed ids first, so a derived id never takes one written further down
  }
  for (let s = 0; s < n; s++) {
    const p = `questions_${s}_`;
    const label: Partial<Record<Locale, string>> = {};
    for (const l of languages) {
      const text = (v[`${p}label_${l}`] ?? '').trim();
      if (text) label[l] = text;
    }
    const options = (v[`${p}options`] ?? '').trim();
    let id = (v[`${p}id`] ?? '').trim();
    if (yes(v[`${p}remove`]) || (!id && !Object.keys(label).length && !options)) continue;
    if (!id) {
      id = idFromLabel(label[isLocale(defaultLocale) ? defaultLocale : 'en'] ?? Object.values(label)[0] ?? '', ids, `question_${s + 1}`);
      ids.add(id);
    }
    const type = (v[`${p}type`] ?? '') as QuestionType;
    const q: Question = { id, type, required: yes(v[`${p}required`]), label };
    if (hasOptions(type)) q.options = parseOptions(options, languages);
    questions.push(q);
    slots.push(s);
  }

  const int = (x: string | undefined) => (/^\s*\d{1,9}\s*$/.test(x ?? '') ? Number(x) : Number.NaN);

  // Deadlines: a window in hours, or a fixed date and time in the event's zone; invites may have their own window.
  const byDate = v.confirmMode === 'date';
  let confirmUntil: string | null = null;
  if (byDate) {
    const raw = (v.confirmUntil ?? '').trim();
    confirmUntil = raw ? wallTimeToUtc(raw, timezone) : null;
    if (!raw) errors.push({ field: 'confirmUntil', code: 'required' });
    else if (confirmUntil === null && zoneKnown) errors.push({ field: 'confirmUntil', code: 'invalid_datetime' });
  }
  const inviteHours = (v.inviteConfirmHours ?? '').trim();

  const typedSlug = (v.slug ?? '').trim();
  const title = content[isLocale(defaultLocale) ? defaultLocale : 'en']?.title ?? Object.values(content)[0]?.title ?? '';
  const input: EventInput = {
    slug: typedSlug || slugFromTitle(title),
    status: base.status,
    timezone,
    ...times,
    venueName,
    venueAddress,
    capacity: int(v.capacity),
    maxPartySize: int(v.maxPartySize),
    preferredCountries: [...new Set((v.preferredCountries ?? '').split(/\s+/).filter(Boolean))],
    othersMayApply: yes(v.othersMayApply),
    questions,
    content,
    defaultLocale,
    confirmHours: (v.confirmHours ?? '').trim() ? int(v.confirmHours) : EVENT_DEFAULTS.confirmHours,
    confirmUntil,
    inviteConfirmHours: inviteHours ? int(inviteHours) : null,
    mailSenderName: (v.mailSenderName ?? '').trim() || null,
    mailReplyTo: (v.mailReplyTo ?? '').trim() || null,
  };
  return { input, errors, slots, slugFromTitle: !typedSlug };
}

/** A slug from a title: "Sommerfest am Fluss 2026!" → "sommerfest-am-fluss-2026" (at most 64 characters). */
export function slugFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'event';
}

/** The same slug with a number: "summer-party" → "summer-party-2" (still at most 64 characters). */
export function numberedSlug(slug: string, n: number): string {
  const suffix = `-${n}`;
  return `${slug.slice(0, 64 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * What a button of the editor asks for, besides saving. Without JavaScript, adding, moving and removing
 * questions and filtering the country list are form posts that re-render the editor with everything typed kept.
 */
export type EditorAction = { kind: 'save' } | { kind: 'add' } | { kind: 'filter' } | { kind: 'languages' } | { kind: 'up' | 'down' | 'remove'; slot: number };

export function editorAction(v: EventFormValues): EditorAction {
  const a = v.editor_action ?? '';
  if (a === 'add') return { kind: 'add' };
  if (a === 'filter') return { kind: 'filter' };
  if (a === 'languages') return { kind: 'languages' };
  const m = /^(up|down|remove):(\d{1,3})$/.exec(a);
  if (m) return { kind: m[1] as 'up' | 'down' | 'remove', slot: Number(m[2]) };
  return { kind: 'save' };
}

function slotValues(v: EventFormValues, s: number): EventFormValues {
  const p = `questions_${s}_`;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith(p)).map(([k, x]) => [k.slice(p.length), x]));
}

function withSlots(v: EventFormValues, slots: EventFormValues[]): EventFormValues {
  const out = Object.fromEntries(Object.entries(v).filter(([k]) => !/^questions_\d+_/.test(k)));
  slots.forEach((fields, s) => {
    for (const [k, x] of Object.entries(fields)) out[`questions_${s}_${k}`] = x;
  });
  out.question_slots = String(slots.length);
  return out;
}

/**
 * The form after an editor action, pure: questions added (an empty slot at the end), moved up or down, or
 * removed (later ones move up). `focus` names the control to focus on the re-rendered page, so a keyboard
 * user stays where they were.
 */
export function applyEditorAction(v: EventFormValues, a: EditorAction): { values: EventFormValues; focus: string | null } {
  const n = slotCount(v);
  const slots = Array.from({ length: n }, (_, s) => slotValues(v, s));
  if (a.kind === 'add') {
    if (n >= MAX_SLOTS) return { values: v, focus: 'add-question' };
    return { values: withSlots(v, [...slots, {}]), focus: `f-questions_${n}_label_${isLocale(v.defaultLocale) ? v.defaultLocale : 'en'}` };
  }
  if (a.kind === 'filter') return { values: v, focus: 'f-country_filter' };
  if (a.kind === 'languages') return { values: v, focus: 'f-languages' };
  if (a.kind === 'save' || a.slot >= n) return { values: v, focus: null };
  if (a.kind === 'remove') {
    const rest = slots.filter((_, s) => s !== a.slot);
    return { values: withSlots(v, rest), focus: rest.length ? `q-${Math.min(a.slot, rest.length - 1)}` : 'add-question' };
  }
  const to = a.kind === 'up' ? a.slot - 1 : a.slot + 1;
  if (to < 0 || to >= n) return { values: v, focus: null };
  [slots[a.slot], slots[to]] = [slots[to], slots[a.slot]];
  return { values: withSlots(v, slots), focus: `q-${to}` };
}

/** Form values for an event (the edit page), times shown in the event's zone. */
export function eventToFormValues(e: Event): EventFormValues {
  const v: EventFormValues = {
    slug: e.slug,
    timezone: e.timezone,
    defaultLocale: e.defaultLocale,
    capacity: String(e.capacity),
    maxPartySize: String(e.maxPartySize),
    preferredCountries: e.preferredCountries.join(' '),
    question_slots: String(e.questions.length + EMPTY_QUESTION_SLOTS),
    languages: eventLanguages(e).join(' '),
  };
  const languages = formLanguages(v);
  for (const f of TIME_FIELDS) if (e[f]) v[f] = utcToWallTime(e[f]!, e.timezone);
  if (!e.startsAt) v.startsTba = 'yes';
  if (!e.venueName) v.venueTba = 'yes';
  else {
    v.venueName = e.venueName;
    v.venueAddress = e.venueAddress ?? '';
  }
  if (e.othersMayApply) v.othersMayApply = 'yes';
  for (const l of LOCALES) {
    const c = e.content[l];
    if (!c) continue;
    v[`content_${l}_title`] = c.title;
    v[`content_${l}_description`] = c.description;
    v[`content_${l}_consent`] = c.consent;
  }
  e.questions.forEach((q, s) => {
    const p = `questions_${s}_`;
    v[`${p}id`] = q.id;
    v[`${p}type`] = q.type;
    if (q.required) v[`${p}required`] = 'yes';
    for (const l of LOCALES) if (q.label[l]) v[`${p}label_${l}`] = q.label[l]!;
    if (hasOptions(q.type)) v[`${p}options`] = formatOptions(q, languages);
  });
  v.confirmHours = String(e.confirmHours);
  if (e.confirmUntil) {
    v.confirmMode = 'date';
    v.confirmUntil = utcToWallTime(e.confirmUntil, e.timezone);
  } else v.confirmMode = 'hours';
  if (e.inviteConfirmHours) v.inviteConfirmHours = String(e.inviteConfirmHours);
  if (e.mailSenderName) v.mailSenderName = e.mailSenderName;
  if (e.mailReplyTo) v.mailReplyTo = e.mailReplyTo;
  return v;
}

/** A new event's starting values: the editor's language first, applications from now for four weeks, TBA. */
export function newEventFormValues(locale: Locale): EventFormValues {
  return {
    timezone: 'UTC',
    defaultLocale: locale,
    languages: locale,
    capacity: '100',
    maxPartySize: '2',
    othersMayApply: 'yes',
    startsTba: 'yes',
    venueTba: 'yes',
    question_slots: String(EMPTY_QUESTION_SLOTS),
    confirmMode: 'hours',
    confirmHours: String(EVENT_DEFAULTS.confirmHours),
  };
}

/** Domain error paths → form field names, following the question slots. */
export function formFieldFor(field: string, slots: number[], defaultLocale: string): string {
  const q = field.match(/^questions\.(\d+)\.(\w+)$/);
  if (q) {
    const slot = slots[Number(q[1])] ?? Number(q[1]);
    return q[2] === 'label' ? `questions_${slot}_label_${isLocale(defaultLocale) ? defaultLocale : 'en'}` : `questions_${slot}_${q[2]}`;
  }
  return field.replaceAll('.', '_');
}
