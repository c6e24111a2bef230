/**
 * The languages Admit speaks: one catalogue each in src/i18n/<code>.json (same key set, checked by a test).
 * Adding a language is adding its catalogue and listing it here; names come from Intl.DisplayNames.
 */
export const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh', 'ar', 'he'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(x: unknown): x is Locale {
  return typeof x === 'string' && (LOCALES as readonly string[]).includes(x);
}

/** Right-to-left scripts: pages set dir from here. */
const RTL = new Set(['ar', 'he', 'fa', 'ur']);
export function textDirection(locale: string): 'ltr' | 'rtl' {
  return RTL.has(locale.split('-')[0]) ? 'rtl' : 'ltr';
}

/** Best match from an Accept-Language header, or null. */
export function negotiateLocale(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLocale(base)) return base;
  }
  return null;
}
