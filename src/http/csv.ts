/**
 * CSV for spreadsheets (RFC 4180 + the spreadsheet formula rules, OWASP "CSV injection"):
 * - every cell is quoted ("…", inner quotes doubled), lines end in CRLF, so commas, quotes, line breaks and
 *   leading zeros survive whatever the content;
 * - text that a spreadsheet could run as a formula gets an apostrophe in front: at the start of the cell, and
 *   after every character a spreadsheet may split a cell on when the file is opened with another separator
 *   (`;` `,` tab `|`, optionally followed by spaces) — "a;=cmd()" would otherwise become a cell "=cmd()".
 *   Formula starts are = + - @ and tab / carriage return.
 * Numbers written as numbers are left alone (a party size of 2, a waitlist position), so they stay numeric.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const AFTER_SEPARATOR = /([;,\t|] *)(?=[=+\-@\t\r])/g;

/** Text made safe to open in a spreadsheet (see above); not yet quoted. */
export function neutraliseFormula(s: string): string {
  const inner = s.replace(AFTER_SEPARATOR, "$1'");
  return FORMULA_START.test(inner) ? `'${inner}` : inner;
}

/** One cell: always quoted; strings neutralised, finite numbers kept as they are. */
export function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : typeof v === 'number' && Number.isFinite(v) ? String(v) : neutraliseFormula(String(v));
  return `"${s.replaceAll('"', '""')}"`;
}

/** One record with its CRLF. */
export const csvRow = (cells: readonly (string | number | null | undefined)[]): string => cells.map(csvCell).join(',') + '\r\n';

/** The byte order mark first, so spreadsheet programs read the file as UTF-8. */
export const CSV_BOM = '\ufeff';
