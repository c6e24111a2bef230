import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvRow, neutraliseFormula } from '../../src/http/csv.ts';

/** A strict RFC 4180 reader: every field quoted or not, CRLF records; throws on anything malformed. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quote');
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else field += text[i++];
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
          if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field`);
          field += text[i++];
        }
      }
      row.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      if (i >= text.length) break;
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    }
    rows.push(row);
  }
  return rows;
}

test('CSV: every cell quoted, RFC 4180 round trip of quotes, commas and line breaks', () => {
  const cells = ['plain', 'with, comma', 'say "hi"', 'two\nlines', 'cr\r\nlf', '', 'ünïcödé 😀', '007'];
  const line = csvRow([...cells, 3, null, undefined]);
  assert.ok(line.endsWith('\r\n'));
  for (const part of line.slice(0, -2).split(/,(?=")/)) assert.match(part, /^".*"$/s, 'quoted');
  assert.deepEqual(parseCsv(line), [[...cells, '3', '', '']]);
  assert.equal(csvCell('007'), '"007"', 'leading zeros kept as text');
});

test('CSV: formula starts neutralised at the start of a cell and after every separator a spreadsheet may split on', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.equal(neutraliseFormula(`${start}1+1`).startsWith(`'${start}`), true, JSON.stringify(start));
  assert.equal(neutraliseFormula('=HYPERLINK("x")'), `'=HYPERLINK("x")`);
  assert.equal(neutraliseFormula('a;=cmd()'), "a;'=cmd()");
  assert.equal(neutraliseFormula('a, @SUM(A1)'), "a, '@SUM(A1)");
  assert.equal(neutraliseFormula('a|+1'), "a|'+1");
  assert.equal(neutraliseFormula('a\t-1'), "a\t'-1");
  assert.equal(neutraliseFormula('Jean-Luc Picard, Captain'), 'Jean-Luc Picard, Captain', 'harmless text unchanged');
  assert.equal(neutraliseFormula('2026-11-01'), '2026-11-01');
  // Whatever separator a spreadsheet splits on, no piece starts a formula.
  const evil = 'x;=1,+2|-3\t@4';
  const cell = parseCsv(csvRow([evil]))[0][0];
  for (const sep of [';', ',', '|', '\t']) for (const piece of cell.split(sep)) assert.doesNotMatch(piece.trimStart(), /^[=+\-@]/, `${sep}: ${piece}`);
  assert.equal(csvCell(-5), '"-5"', 'a number we write stays a number');
  assert.equal(csvCell('-5'), `"'-5"`, 'text that looks like a formula does not');
});
