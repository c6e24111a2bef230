import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { LOCALES, type Locale, DEFAULT_LOCALE } from '../domain/locales.ts';

type Catalogue = Record<string, unknown>;
const here = dirname(fileURLToPath(import.meta.url));
const catalogues = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(readFileSync(join(here, `${l}.json`), 'utf8')) as Catalogue]),
) as Record<Locale, Catalogue>;

/**
 * A message whose wording depends on a number: CLDR plural categories of the language ("one", "few",
 * "other", …; "=0" for an exact number), chosen by Intl.PluralRules with the parameter named in "_n"
 * (default "n"). Example: { "one": "{n} seat", "other": "{n} seats", "_n": "n" }.
 */
export type PluralMessage = { other: string; _n?: string } & Record<string, string>;

const PLURAL_KEY = /^(zero|one|two|few|many|other|_n|=\d+)$/;
/** An object whose keys are all plural categories (and has "other") — not a namespace that happens to have "other". */
const isPlural = (v: unknown): v is PluralMessage =>
  !!v && typeof v === 'object' && typeof (v as { other?: unknown }).other === 'string' && Object.keys(v).every((k) => PLURAL_KEY.test(k));

/** Nested keys, where a key segment may itself contain dots (errors.code["offer.expired"]). */
function lookup(cat: Catalogue, key: string): string | PluralMessage | undefined {
  const direct = cat[key];
  if (typeof direct === 'string' || isPlural(direct)) return direct;
  const parts = key.split('.');
  for (let i = 1; i < parts.length; i++) {
    const next = cat[parts.slice(0, i).join('.')];
    if (next && typeof next === 'object' && !isPlural(next)) {
      const found = lookup(next as Catalogue, parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export type Params = Record<string, string | number>;

const plurals = new Map<Locale, Intl.PluralRules>();
const numbers = new Map<Locale, Intl.NumberFormat>();
const cached = <T>(m: Map<Locale, T>, locale: Locale, make: () => T): T => {
  let v = m.get(locale);
  if (!v) m.set(locale, (v = make()));
  return v;
};

function choose(locale: Locale, msg: PluralMessage, params: Params | undefined): string {
  const count = Number(params?.[msg._n ?? 'n']);
  if (!Number.isFinite(count)) return msg.other;
  return msg[`=${count}`] ?? msg[cached(plurals, locale, () => new Intl.PluralRules(locale)).select(count)] ?? msg.other;
}

/**
 * Translate a key; {name} placeholders are filled from params, numbers formatted for the language (1,234 /
 * 1.234). Plural messages pick their form by the count. Missing keys show the key (never crash).
 */
export function t(locale: Locale, key: string, params?: Params): string {
  const found = lookup(catalogues[locale], key) ?? lookup(catalogues[DEFAULT_LOCALE], key) ?? key;
  const msg = typeof found === 'string' ? found : choose(locale, found, params);
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, p: string) => {
    if (!(p in params)) return m;
    const v = params[p];
    return typeof v === 'number' ? cached(numbers, locale, () => new Intl.NumberFormat(locale)).format(v) : String(v);
  });
}

export function hasKey(locale: Locale, key: string): boolean {
  return lookup(catalogues[locale], key) !== undefined;
}

export type Translator = (key: string, params?: Params) => string;
export const translator = (locale: Locale): Translator => (key, params) => t(locale, key, params);

/** Dates are always shown in the event's time zone, formatted by Intl for the reader's language. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short',
  }).format(new Date(iso));
}

export function formatDate(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(n);
}

const displayNames = new Map<string, Intl.DisplayNames>();
/** A language's name in another language ("German" in English, "Deutsch" in German), from CLDR via Intl. */
export function languageName(code: string, inLocale: string): string {
  let d = displayNames.get(inLocale);
  if (!d) displayNames.set(inLocale, (d = new Intl.DisplayNames([inLocale], { type: 'language', fallback: 'code' })));
  const name = d.of(code) ?? code;
  return name.charAt(0).toLocaleUpperCase(inLocale) + name.slice(1);
}

/** A language's name in itself ("Deutsch", "العربية"): what a language switcher shows. */
export const endonym = (code: string): string => languageName(code, code);
