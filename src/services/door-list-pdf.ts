import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatDoorCode } from '../domain/door-code.ts';
import { contentFor, type Event } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import type { Translator } from '../i18n/index.ts';
import type { Deps } from './deps.ts';

const require = createRequire(import.meta.url);
const fontDir = join(dirname(require.resolve('@fontsource/noto-sans/package.json')), 'files');

/**
 * The printable door list (issue 15): the last resort when every phone is down. Valid tickets sorted by
 * name (the locale's collation), each with its door code and party size, and a box to tick. Noto Sans
 * (Latin with extensions, Cyrillic, Greek) so names print as written.
 */
export async function doorListPdf(deps: Deps, event: Event, locale: Locale, t: Translator): Promise<Buffer> {
  const rows = await deps.database.db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.holder_name', 'tickets.door_code', 'tickets.application_id', 'tickets.checked_in_at'])
    .where('tickets.event_id', '=', event.id)
    .where('tickets.voided_at', 'is', null)
    .where('applications.status', '=', 'confirmed')
    .execute();
  const party = new Map<string, number>();
  for (const r of rows) party.set(r.application_id, (party.get(r.application_id) ?? 0) + 1);
  const collator = new Intl.Collator(locale, { sensitivity: 'base' });
  rows.sort((a, b) => collator.compare(a.holder_name, b.holder_name));

  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: t('door.pdf_title'), Author: 'Admit' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (const sub of SUBSETS) {
    doc.registerFont(sub, join(fontDir, `noto-sans-${sub}-400-normal.woff`));
  }
  doc.registerFont('body', join(fontDir, 'noto-sans-latin-400-normal.woff'));
  doc.registerFont('bold', join(fontDir, 'noto-sans-latin-700-normal.woff'));
  const title = contentFor(event, locale).title;
  const header = () => {
    doc.font('bold').fontSize(14).text(`${title} — ${t('door.pdf_title')}`);
    doc.font('body').fontSize(9).fillColor('#444').text(t('door.pdf_intro', { n: rows.length }));
    doc.moveDown(0.5).fillColor('#000');
    const y = doc.y;
    doc.font('bold').fontSize(9);
    doc.text(t('door.pdf_name'), 40, y, { width: 280 });
    doc.text(t('door.pdf_code'), 330, y, { width: 110 });
    doc.text(t('door.pdf_party'), 440, y, { width: 60 });
    doc.text(t('door.pdf_in'), 495, y, { width: 60 });
    doc.moveTo(40, doc.y + 2).lineTo(555, doc.y + 2).stroke();
    doc.moveDown(0.4);
  };
  header();
  for (const r of rows) {
    if (doc.y > 790) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    doc.font('body').fontSize(10);
    nameText(doc, r.holder_name.length > 48 ? `${r.holder_name.slice(0, 47)}…` : r.holder_name, 40, y);
    doc.text(r.door_code ? formatDoorCode(r.door_code) : '—', 330, y, { width: 110, lineBreak: false });
    doc.text(String(party.get(r.application_id) ?? 1), 440, y, { width: 60, lineBreak: false });
    doc.rect(512, y + 1, 9, 9).stroke();
    // Already in when printed: the box is filled.
    if (r.checked_in_at) doc.rect(514, y + 3, 5, 5).fill('#000').fillColor('#000');
    doc.text('', 40, y + 16);
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** Fontsource ships Noto Sans in disjoint subsets; a name is written run by run in the subset that has its letters. */
const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'greek', 'vietnamese'] as const;

function subsetOf(cp: number): (typeof SUBSETS)[number] {
  if (cp <= 0xff || cp === 0x2026) return 'latin';
  if (cp >= 0x370 && cp <= 0x3ff) return 'greek';
  if (cp >= 0x400 && cp <= 0x52f) return 'cyrillic';
  if ((cp >= 0x1ea0 && cp <= 0x1ef9) || cp === 0x1b0 || cp === 0x1a1) return 'vietnamese';
  return 'latin-ext';
}

function nameText(doc: PDFKit.PDFDocument, text: string, x: number, y: number): void {
  const runs: { font: string; text: string }[] = [];
  for (const ch of text) {
    const font = subsetOf(ch.codePointAt(0)!);
    if (runs.length && runs[runs.length - 1].font === font) runs[runs.length - 1].text += ch;
    else runs.push({ font, text: ch });
  }
  runs.forEach((r, i) => {
    doc.font(r.font);
    if (i === 0) doc.text(r.text, x, y, { lineBreak: false, continued: i < runs.length - 1 });
    else doc.text(r.text, { lineBreak: false, continued: i < runs.length - 1 });
  });
  doc.font('body');
}
