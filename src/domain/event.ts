import type { FieldError } from '../errors.ts';
import { isCountryCode } from './countries.ts';
import { isEmail } from './email.ts';
import { LOCALES, type Locale, isLocale } from './locales.ts';

export type QuestionType = 'short_text' | 'long_text' | 'single_choice' | 'multiple_choice' | 'yes_no' | 'number' | 'date';
export const QUESTION_TYPES: readonly QuestionType[] = ['short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number', 'date'];
/** Types whose answers are option ids (multiple choice: several, comma-separated). */
export const hasOptions = (type: QuestionType): boolean => type === 'single_choice' || type === 'multiple_choice';
/** Questions per event: enough for any form, small enough for one page. */
export const MAX_QUESTIONS = 50;

export type Localized = Partial<Record<Locale, string>>;

export interface Question {
  id: string;
  type: QuestionType;
  required: boolean;
  label: Localized;
  options?: { id: string; label: Localized }[];
}

export interface EventContent {
  title: string;
  description: string;
  consent: string;
}

export type EventStatus = 'draft' | 'open' | 'closed';

export interface Event {
  id: string;
  slug: string;
  status: EventStatus;
  timezone: string;
  startsAt: string | null;
  endsAt: string | null;
  venueName: string | null;
  venueAddress: string | null;
  applicationsOpenAt: string | null;
  applicationsCloseAt: string | null;
  capacity: number;
  maxPartySize: number;
  preferredCountries: string[];
  othersMayApply: boolean;
  questions: Question[];
  content: Partial<Record<Locale, EventContent>>;
  defaultLocale: Locale;
  /** Hours a selected party has to confirm its offer. */
  confirmHours: number;
  /** Days after the event (or the draw, for those not selected) until personal data is erased. */
  retentionDays: number;
  venueMapUrl: string | null;
  /** When time and venue are revealed to confirmed guests automatically (null = by hand). */
  revealAt: string | null;
  /** When time and venue were revealed (null = still to be announced). */
  revealedAt: string | null;
  /** A fixed confirm deadline (UTC ISO) for every offer, instead of confirmHours after the offer (null = hours). */
  confirmUntil: string | null;
  /** Hours an invitee has to confirm (null = the event's default window). */
  inviteConfirmHours: number | null;
  /** Display name of the event's mails ("Summer Festival" <no-reply@…>); null = the instance's own. */
  mailSenderName: string | null;
  /** Reply-To of the event's mails; null = none. */
  mailReplyTo: string | null;
}

/** What an organizer edits; the selection fields have defaults. */
type DefaultedField = 'confirmHours' | 'retentionDays' | 'venueMapUrl' | 'revealAt' | 'revealedAt' | 'confirmUntil' | 'inviteConfirmHours' | 'mailSenderName' | 'mailReplyTo';
export type EventInput = Omit<Event, 'id' | DefaultedField> & Partial<Pick<Event, DefaultedField>>;

export const EVENT_DEFAULTS = {
  confirmHours: 72,
  retentionDays: 30,
  venueMapUrl: null,
  revealAt: null,
  revealedAt: null,
  confirmUntil: null,
  inviteConfirmHours: null,
  mailSenderName: null,
  mailReplyTo: null,
} as const;

/** Is the event taking applications right now? Decided on the server clock only. */
export type IntakeState = 'open' | 'not_open' | 'closed';

export function intakeState(event: Pick<Event, 'status' | 'applicationsOpenAt' | 'applicationsCloseAt'>, now: Date): IntakeState {
  if (event.status === 'draft') return 'not_open';
  if (event.status === 'closed') return 'closed';
  const t = now.toISOString();
  if (event.applicationsOpenAt && t < event.applicationsOpenAt) return 'not_open';
  if (event.applicationsCloseAt && t >= event.applicationsCloseAt) return 'closed';
  return 'open';
}

/** Content in the wanted language, falling back to the event's default, then any. */
export function contentFor(event: Pick<Event, 'content' | 'defaultLocale'>, locale: string): EventContent {
  const c = event.content;
  return (isLocale(locale) ? c[locale] : undefined) ?? c[event.defaultLocale] ?? Object.values(c)[0] ?? { title: '', description: '', consent: '' };
}

/** The languages an event is offered in: those with a text block (the default first, then in list order). */
export function eventLanguages(event: Pick<Event, 'content' | 'defaultLocale'>): Locale[] {
  const rest = LOCALES.filter((l) => l !== event.defaultLocale && event.content[l]);
  return [event.defaultLocale, ...rest];
}

/** The language the event's texts are shown in for a visitor: theirs when offered, else the default. */
export function contentLocale(event: Pick<Event, 'content' | 'defaultLocale'>, locale: string): Locale {
  return isLocale(locale) && event.content[locale] ? locale : event.defaultLocale;
}

export function localized(text: Localized, locale: string, fallback: Locale = 'en'): string {
  return (isLocale(locale) ? text[locale] : undefined) ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const hoursOk = (h: unknown) => Number.isInteger(h) && (h as number) >= 1 && (h as number) <= 24 * 60;

/** Confirm windows (domain/deadlines.ts) and how the event's mails name their sender. */
function validateDeadlinesAndMail(input: EventInput, errors: FieldError[]): void {
  if (input.confirmHours !== undefined && !hoursOk(input.confirmHours)) errors.push({ field: 'confirmHours', code: 'out_of_range', params: { min: 1, max: 1440 } });
  if (input.inviteConfirmHours != null && !hoursOk(input.inviteConfirmHours)) {
    errors.push({ field: 'inviteConfirmHours', code: 'out_of_range', params: { min: 1, max: 1440 } });
  }
  if (input.confirmUntil != null && !ISO.test(input.confirmUntil)) errors.push({ field: 'confirmUntil', code: 'invalid_datetime' });
  // The name goes into a From header: no line breaks, no characters that would end the display name.
  if (input.mailSenderName != null && (input.mailSenderName.length > 100 || /[\r\n<>"\\]/.test(input.mailSenderName))) {
    errors.push({ field: 'mailSenderName', code: 'invalid_sender_name', params: { max: 100 } });
  }
  if (input.mailReplyTo != null && (!isEmail(input.mailReplyTo) || input.mailReplyTo.length > 254)) errors.push({ field: 'mailReplyTo', code: 'invalid_email' });
}

/** Validates an event definition; returns field errors (empty when valid). */
export function validateEvent(input: EventInput): FieldError[] {
  const errors: FieldError[] = [];
  const req = (field: string) => errors.push({ field, code: 'required' });
  if (!SLUG.test(input.slug)) errors.push({ field: 'slug', code: 'invalid_slug' });
  if (!isTimeZone(input.timezone)) errors.push({ field: 'timezone', code: 'invalid_timezone' });
  for (const [field, v] of [
    ['startsAt', input.startsAt],
    ['endsAt', input.endsAt],
    ['applicationsOpenAt', input.applicationsOpenAt],
    ['applicationsCloseAt', input.applicationsCloseAt],
  ] as const) {
    if (v !== null && !ISO.test(v)) errors.push({ field, code: 'invalid_datetime' });
  }
  if (input.startsAt && input.endsAt && input.endsAt < input.startsAt) errors.push({ field: 'endsAt', code: 'before_start' });
  if (input.applicationsOpenAt && input.applicationsCloseAt && input.applicationsCloseAt <= input.applicationsOpenAt) {
    errors.push({ field: 'applicationsCloseAt', code: 'before_open' });
  }
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 10_000_000) {
    errors.push({ field: 'capacity', code: 'out_of_range', params: { min: 1, max: 10_000_000 } });
  }
  if (!Number.isInteger(input.maxPartySize) || input.maxPartySize < 1 || input.maxPartySize > 20) {
    errors.push({ field: 'maxPartySize', code: 'out_of_range', params: { min: 1, max: 20 } });
  }
  for (const c of input.preferredCountries) {
    if (!isCountryCode(c)) errors.push({ field: 'preferredCountries', code: 'invalid_country' });
  }
  if (!input.othersMayApply && input.preferredCountries.length === 0) {
    errors.push({ field: 'preferredCountries', code: 'required' });
  }
  if (!isLocale(input.defaultLocale)) errors.push({ field: 'defaultLocale', code: 'invalid_choice' });
  const def = input.content[input.defaultLocale];
  if (!def?.title?.trim()) req(`content.${input.defaultLocale}.title`);
  for (const loc of LOCALES) {
    const c = input.content[loc];
    if (c && c.title.length > 200) errors.push({ field: `content.${loc}.title`, code: 'too_long', params: { max: 200 } });
    if (c && c.description.length > 20_000) errors.push({ field: `content.${loc}.description`, code: 'too_long', params: { max: 20_000 } });
    if (c && c.consent.length > 5_000) errors.push({ field: `content.${loc}.consent`, code: 'too_long', params: { max: 5_000 } });
  }
  if (input.venueName && input.venueName.length > 200) errors.push({ field: 'venueName', code: 'too_long', params: { max: 200 } });
  if (input.venueAddress && input.venueAddress.length > 500) errors.push({ field: 'venueAddress', code: 'too_long', params: { max: 500 } });
  if (input.questions.length > MAX_QUESTIONS) errors.push({ field: 'questions', code: 'too_many', params: { max: MAX_QUESTIONS } });
  validateDeadlinesAndMail(input, errors);
  const ids = new Set<string>();
  input.questions.forEach((q, i) => {
    if (!/^[a-z0-9_-]{1,40}$/.test(q.id) || ids.has(q.id)) errors.push({ field: `questions.${i}.id`, code: 'invalid_id' });
    ids.add(q.id);
    if (!QUESTION_TYPES.includes(q.type)) errors.push({ field: `questions.${i}.type`, code: 'invalid_choice' });
    if (!localized(q.label, input.defaultLocale).trim()) req(`questions.${i}.label`);
    if (hasOptions(q.type) && (!q.options || q.options.length < 2)) {
      errors.push({ field: `questions.${i}.options`, code: 'too_few_options' });
    } else if (hasOptions(q.type)) {
      // Answers store the option id, so ids must be stable, unique and plain; every option needs a label.
      const optionIds = new Set<string>();
      const bad = q.options!.some((o) => {
        const dup = optionIds.has(o.id);
        optionIds.add(o.id);
        return dup || !/^[a-z0-9_-]{1,40}$/.test(o.id) || !localized(o.label, input.defaultLocale).trim();
      });
      if (bad) errors.push({ field: `questions.${i}.options`, code: 'invalid_options' });
    }
  });
  return errors;
}
