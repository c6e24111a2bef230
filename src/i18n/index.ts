import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { LOCALES, type Locale, DEFAULT_LOCALE } from '../domain/locales.ts';

type Catalogue = Record<string, unknown>;
const here = dirname(fileURLToPath(import.meta.url));
const catalogues = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(readFileSync(join(here, `${l}.json`), 'utf8')) as Catalogue]),
) as Record<Locale, Catalogue>;

/** Nested keys, where a key segment may itself contain dots (errors.code["offer.expired"]). */
function lookup(cat: Catalogue, key: string): string | undefined {
  const direct = cat[key];
  if (typeof direct === 'string') return direct;
  const parts = key.split('.');
  for (let i = 1; i < parts.length; i++) {
    const next = cat[parts.slice(0, i).join('.')];
    if (next && typeof next === 'object') {
      const found = lookup(next as Catalogue, parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export type Params = Record<string, string | number>;

/** Translate a key; {name} placeholders are filled from params. Missing keys show the key (never crash). */
export function t(locale: Locale, key: string, params?: Params): string {
  const msg = lookup(catalogues[locale], key) ?? lookup(catalogues[DEFAULT_LOCALE], key) ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m));
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
