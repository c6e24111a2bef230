import type { FieldError } from '../errors.ts';
import { isCountryCode } from './countries.ts';
import { isEmail } from './email.ts';
import { cleanEmail, stripBidiControls } from './unicode.ts';
import type { Event } from './event.ts';
import { DEFAULT_LOCALE, type Locale, isLocale } from './locales.ts';

export const RELATIONS = ['friend', 'family', 'partner', 'colleague', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

export interface Guest {
  name: string;
  relation: Relation;
}

/** What an applicant sends, before validation (strings as typed). */
export interface ApplicationInput {
  name?: unknown;
  email?: unknown;
  country?: unknown;
  locale?: unknown;
  guests?: unknown;
  answers?: unknown;
  consent?: unknown;
}

export interface ValidApplication {
  name: string;
  email: string;
  country: string;
  locale: Locale;
  guests: Guest[];
  answers: Record<string, string>;
}

const str = (x: unknown): string => (typeof x === 'string' ? x.trim() : typeof x === 'number' ? String(x) : '');
const truthy = (x: unknown): boolean => x === true || x === 'on' || x === 'true' || x === 'yes' || x === '1';

export const LIMITS = { name: 120, shortText: 200, longText: 4000 } as const;

/**
 * C0 and C1 control characters and DEL. PostgreSQL cannot store NUL in text at all (the insert fails, and with
 * it the whole intake batch), and the others have no business in a name or an answer: refused as a field error
 * on both databases. Long texts keep their line breaks (\n, \r).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export const hasControlCharacters = (s: string, allowNewlines = false): boolean => (allowNewlines ? CONTROL_EXCEPT_NEWLINES : CONTROL).test(s);

/**
 * Party rules and field validation, pure. A party is the applicant plus 0..(maxPartySize-1) guests;
 * it is one unit for the draw and is never split later.
 */
export function validateApplication(event: Event, input: ApplicationInput): { value?: ValidApplication; errors: FieldError[] } {
  const errors: FieldError[] = [];
  // Bidi controls are removed, invisible characters and compatibility forms folded (domain/unicode.ts).
  const name = stripBidiControls(str(input.name)).trim();
  const email = cleanEmail(str(input.email));
  const country = str(input.country).toUpperCase();
  const locale = isLocale(input.locale) ? input.locale : DEFAULT_LOCALE;

  if (!name) errors.push({ field: 'name', code: 'required' });
  else if (hasControlCharacters(name)) errors.push({ field: 'name', code: 'control_characters' });
  else if (name.length > LIMITS.name) errors.push({ field: 'name', code: 'too_long', params: { max: LIMITS.name } });

  if (!email) errors.push({ field: 'email', code: 'required' });
  else if (hasControlCharacters(email)) errors.push({ field: 'email', code: 'control_characters' });
  else if (!isEmail(email)) errors.push({ field: 'email', code: 'invalid_email' });

  if (!country) errors.push({ field: 'country', code: 'required' });
  else if (!isCountryCode(country)) errors.push({ field: 'country', code: 'invalid_country' });
  else if (!event.othersMayApply && !event.preferredCountries.includes(country)) {
    errors.push({ field: 'country', code: 'country_not_eligible' });
  }

  const rawGuests = Array.isArray(input.guests) ? input.guests : [];
  // Blank guest rows (an empty row left in the form) are ignored rather than rejected.
  const guests: Guest[] = [];
  rawGuests.forEach((g: any, i: number) => {
    const gName = stripBidiControls(str(g?.name)).trim();
    const gRel = str(g?.relation);
    if (!gName && !gRel) return;
    if (!gName) errors.push({ field: `guests.${i}.name`, code: 'required' });
    else if (hasControlCharacters(gName)) errors.push({ field: `guests.${i}.name`, code: 'control_characters' });
    else if (gName.length > LIMITS.name) errors.push({ field: `guests.${i}.name`, code: 'too_long', params: { max: LIMITS.name } });
    const relation = (RELATIONS as readonly string[]).includes(gRel) ? (gRel as Relation) : null;
    if (!relation) errors.push({ field: `guests.${i}.relation`, code: 'invalid_choice' });
    guests.push({ name: gName, relation: relation ?? 'other' });
  });
  if (guests.length > event.maxPartySize - 1) {
    errors.push({ field: 'guests', code: 'too_many_guests', params: { max: event.maxPartySize - 1 } });
  }

  const rawAnswers = (input.answers && typeof input.answers === 'object' ? input.answers : {}) as Record<string, unknown>;
  const answers: Record<string, string> = {};
  for (const q of event.questions) {
    const raw = rawAnswers[q.id];
    // Yes/no questions also take JSON true/false (API clients send booleans for yes/no).
    const v = q.type === 'yes_no' && typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : str(raw);
    const field = `answers.${q.id}`;
    if (!v) {
      if (q.required) errors.push({ field, code: 'required' });
      continue;
    }
    if (hasControlCharacters(v, q.type === 'long_text')) {
      errors.push({ field, code: 'control_characters' });
      continue;
    }
    if (q.type === 'short_text' && v.length > LIMITS.shortText) errors.push({ field, code: 'too_long', params: { max: LIMITS.shortText } });
    if (q.type === 'long_text' && v.length > LIMITS.longText) errors.push({ field, code: 'too_long', params: { max: LIMITS.longText } });
    if (q.type === 'yes_no' && v !== 'yes' && v !== 'no') errors.push({ field, code: 'invalid_choice' });
    if (q.type === 'single_choice' && !q.options?.some((o) => o.id === v)) errors.push({ field, code: 'invalid_choice' });
    const answer = q.type === 'multiple_choice' || q.type === 'number' ? normalizeAnswer(q, v) : v;
    if (answer === null) errors.push({ field, code: q.type === 'number' ? 'invalid_number' : 'invalid_choice' });
    if (q.type === 'date' && !isDate(v)) errors.push({ field, code: 'invalid_date' });
    if (answer === '') {
      if (q.required) errors.push({ field, code: 'required' });
      continue;
    }
    answers[q.id] = answer ?? v;
  }

  if (!truthy(input.consent)) errors.push({ field: 'consent', code: 'consent_required' });

  if (errors.length) return { errors };
  return { value: { name, email, country, locale, guests, answers }, errors };
}

/** A calendar date as typed in <input type="date">: YYYY-MM-DD, and a real day. */
export function isDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/**
 * Stored form of a multiple-choice or number answer, or null when it is not one.
 * Multiple choice: the chosen option ids, comma-separated in the question's order ('' = none chosen).
 * Number: a plain decimal ("1,5" as typed in German becomes "1.5").
 */
function normalizeAnswer(q: Event['questions'][number], v: string): string | null {
  if (q.type === 'number') {
    const n = v.replace(/\s/g, '').replace(',', '.');
    return /^-?\d{1,12}(\.\d{1,6})?$/.test(n) ? n : null;
  }
  const chosen = new Set(v.split(',').map((x) => x.trim()).filter(Boolean));
  const ids = (q.options ?? []).map((o) => o.id);
  if ([...chosen].some((c) => !ids.includes(c))) return null;
  return ids.filter((id) => chosen.has(id)).join(',');
}

/** Lifecycle; the draw (issue 4) adds selected, waitlisted, confirmed and friends. */
export type ApplicationStatus = 'submitted' | 'withdrawn';
