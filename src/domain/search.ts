import type { Guest } from './application.ts';

/**
 * Text folded for matching: "MÜLLER", "Müller" and "muller" all become "muller". Unicode compatibility
 * decomposition (NFKD) splits "ü" into "u" + a combining mark, the marks go, then lower case; a few letters
 * that do not decompose are spelled out. Done in JavaScript, once, when a row is written — the same folding on
 * SQLite (whose lower() knows only ASCII) and PostgreSQL, and no per-row function at search time.
 */
export function foldForSearch(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/[øØ]/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd')
    .replace(/þ/g, 'th')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The maintained search columns of an application (migration 011): `search_text` holds the applicant's name, every
 * guest's name and the address, folded, one per line (a search never spans two of them); `sort_name` the folded
 * applicant name the list sorts by.
 */
export function searchColumns(a: { name: string; email: string; guests: readonly Pick<Guest, 'name'>[] }): { search_text: string; sort_name: string } {
  const sortName = foldForSearch(a.name);
  return {
    search_text: [sortName, ...a.guests.map((g) => foldForSearch(g.name)), a.email.trim().toLowerCase()].join('\n'),
    sort_name: sortName,
  };
}
