import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * PDF tickets (issue 13, ADR 0014): one A6 page per person with the event, the holder's name, time and venue
 * once revealed (nothing before), the QR code and the typeable door code. Pure: labels and texts come in
 * already localized, the QR text comes from services/tickets.ts (never built here).
 *
 * Fonts: Noto Sans from @fontsource (WOFF, unpacked once by woffToSfnt) for Latin, Arabic and Hebrew; pdfkit
 * embeds only the glyphs used. Each text is split into runs by script and every run gets the font that covers
 * it. fontkit shapes Arabic (joining forms) and orders the letters of a right-to-left word; pdfkit has no Unicode
 * bidi algorithm, so visualTokens() does a simplified one per line (see ADR 0014).
 */
const require = createRequire(import.meta.url);
const fontFile = (pkg: string, file: string) => join(dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files', file);

const FONTS = {
  latin: fontFile('noto-sans', 'noto-sans-latin-400-normal.woff'),
  latinBold: fontFile('noto-sans', 'noto-sans-latin-700-normal.woff'),
  latinExt: fontFile('noto-sans', 'noto-sans-latin-ext-400-normal.woff'),
  arabic: fontFile('noto-sans-arabic', 'noto-sans-arabic-arabic-400-normal.woff'),
  hebrew: fontFile('noto-sans-hebrew', 'noto-sans-hebrew-hebrew-400-normal.woff'),
} as const;
type FontName = keyof typeof FONTS;

/**
 * WOFF 1.0 → plain SFNT (TrueType/OpenType), once per process. fontkit reads WOFF, but inflates its tables with a
 * pure-JS inflater for every document (measured: seconds per PDF for the Arabic font on a loaded machine); node's
 * zlib once at first use, then fontkit gets the uncompressed font, which it parses lazily.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 font');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return { tag: woff.readUInt32BE(at), checksum: woff.readUInt32BE(at + 16), data: compLength < origLength ? inflateSync(raw) : raw };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const head = Buffer.alloc(12 + 16 * numTables);
  head.writeUInt32BE(flavor, 0);
  head.writeUInt16BE(numTables, 4);
  head.writeUInt16BE(searchRange, 6);
  head.writeUInt16BE(entrySelector, 8);
  head.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts: Buffer[] = [head];
  let offset = head.length;
  tables.forEach((t, i) => {
    head.writeUInt32BE(t.tag, 12 + i * 16);
    head.writeUInt32BE(t.checksum, 16 + i * 16);
    head.writeUInt32BE(offset, 20 + i * 16);
    head.writeUInt32BE(t.data.length, 24 + i * 16);
    const pad = (4 - (t.data.length % 4)) % 4;
    parts.push(t.data, Buffer.alloc(pad));
    offset += t.data.length + pad;
  });
  return Buffer.concat(parts);
}

let fontData: Record<FontName, Buffer> | null = null;
const fonts = (): Record<FontName, Buffer> =>
  (fontData ??= Object.fromEntries(Object.entries(FONTS).map(([k, file]) => [k, woffToSfnt(readFileSync(file))])) as Record<FontName, Buffer>);

export interface TicketPdfPage {
  holderName: string;
  /** What the QR code encodes: from services/tickets.ts. */
  qrText: string;
  /** "ABCDE-FGHJK", or null for a ticket without one. */
  doorCode: string | null;
  /** "Ticket 1 of 3" */
  label: string;
}

export interface TicketPdfInput {
  locale: string;
  eventTitle: string;
  /** Localized lines ("When: …", "Where: …") once revealed; null before the reveal (nothing is printed then). */
  details: string[] | null;
  /** Shown instead of the details before the reveal. */
  tbaText: string;
  doorCodeLabel: string;
  hint: string;
  /** PDF metadata title. */
  title: string;
  /** Fixed creation date, so the same ticket renders the same bytes (and tests can compare). */
  createdAt: Date;
  pages: TicketPdfPage[];
  /**
   * The event's brand (ADR 0016), optional: the accent colour ("#rrggbb", contrast-checked against white) for a bar
   * across the top and the event's name; an image (the logo, else the cover; PNG or JPEG bytes) above the name.
   */
  brand?: { accent: string | null; image: Buffer | null };
}

/** The brand image's box at the top of a ticket: small enough that a page never overflows (one page per person). */
const BRAND_IMAGE_BOX: [number, number] = [140, 34];

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const HEBREW = /[\u0590-\u05FF\uFB1D-\uFB4F]/;
/** What @fontsource's "latin" subset covers (the rest of Latin is in "latin-ext"). */
const LATIN_BASIC = /[\u0000-\u00FF\u0131\u0152\u0153\u2000-\u206F\u20AC\u2122\u2212]/;
const NEUTRAL = /[\s\p{P}\p{S}\p{N}]/u;

type Dir = 'rtl' | 'ltr';
const MIRROR: Record<string, string> = { '(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«' };
interface Token {
  text: string;
  /** null = neutral (spaces, punctuation, digits) until resolved. */
  dir: Dir | null;
}

function fontFor(text: string): FontName {
  if (ARABIC.test(text)) return 'arabic';
  if (HEBREW.test(text)) return 'hebrew';
  return LATIN_BASIC.test(text) ? 'latin' : 'latinExt';
}

/** A left-to-right piece split where the covering font changes (Ł, Ż … are in latin-ext; ó, ü … in latin). */
function byFont(text: string): { text: string; font: FontName }[] {
  const out: { text: string; font: FontName }[] = [];
  for (const ch of text) {
    const font = fontFor(ch);
    const last = out[out.length - 1];
    // A space keeps the font it is in: fewer pieces, same look.
    if (last && (last.font === font || ch === ' ')) last.text += ch;
    else out.push({ text: ch, font });
  }
  return out;
}

/**
 * A simplified bidi layout for one line (ADR 0014): words of strong direction and neutral stretches between
 * them; a neutral between two words of one direction takes it, otherwise the line's direction (that of its
 * first strong letter). Runs of one direction are laid out left to right, reversed for a right-to-left line;
 * within a right-to-left run the words are reversed and fontkit orders and shapes the letters of each word.
 * Not done: explicit embeddings and isolates, numbers inside right-to-left words, line breaking of mixed lines.
 */
export function visualTokens(text: string): { text: string; font: FontName }[] {
  const tokens: Token[] = [];
  for (const ch of text) {
    const dir: Dir | null = ARABIC.test(ch) || HEBREW.test(ch) ? 'rtl' : NEUTRAL.test(ch) ? null : 'ltr';
    const last = tokens[tokens.length - 1];
    if (last && last.dir === dir) last.text += ch;
    else tokens.push({ text: ch, dir });
  }
  const base: Dir = tokens.find((t) => t.dir)?.dir ?? 'ltr';
  const resolved = tokens.map((t, i) => {
    if (t.dir) return t as { text: string; dir: Dir };
    const before = tokens.slice(0, i).reverse().find((x) => x.dir)?.dir;
    const after = tokens.slice(i + 1).find((x) => x.dir)?.dir;
    const dir: Dir = before && before === after ? before : base;
    // A neutral stretch inside right-to-left text is shown reversed, its brackets mirrored ("(" looks like ")").
    return { text: dir === 'rtl' ? [...t.text].reverse().map((c) => MIRROR[c] ?? c).join('') : t.text, dir };
  });
  const runs: { dir: Dir; tokens: string[] }[] = [];
  for (const t of resolved) {
    const last = runs[runs.length - 1];
    if (last && last.dir === t.dir) last.tokens.push(t.text);
    else runs.push({ dir: t.dir, tokens: [t.text] });
  }
  if (base === 'rtl') runs.reverse();
  const out = runs.flatMap((r) => (r.dir === 'rtl' ? [...r.tokens].reverse() : [r.tokens.join('')]));
  return out.filter((s) => s.length).flatMap((s) => (ARABIC.test(s) || HEBREW.test(s) ? [{ text: s, font: fontFor(s) }] : byFont(s)));
}

type Doc = PDFKit.PDFDocument;

/** One line of text, centred, each piece in the font that covers its script; wrapped by pdfkit when too long. */
function line(doc: Doc, text: string, size: number, bold = false): void {
  const runs = visualTokens(text).map((r) => ({ ...r, font: bold && r.font === 'latin' ? ('latinBold' as const) : r.font }));
  const width = runs.reduce((w, r) => w + doc.font(r.font).fontSize(size).widthOfString(r.text), 0);
  const usable = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  if (width > usable && runs.every((r) => r.font === runs[0].font)) {
    doc.font(runs[0].font).fontSize(size).text(runs.map((r) => r.text).join(''), { align: 'center' });
    return;
  }
  const scale = width > usable ? usable / width : 1;
  const y = doc.y;
  let x = doc.page.margins.left + (usable - width * scale) / 2;
  for (const r of runs) {
    doc.font(r.font).fontSize(size * scale).text(r.text, x, y, { lineBreak: false });
    x += doc.widthOfString(r.text);
  }
  doc.x = doc.page.margins.left;
  doc.y = y + doc.currentLineHeight(true);
}

/** The tickets of one PDF (one page each) as bytes. */
export async function renderTicketPdf(input: TicketPdfInput): Promise<Buffer> {
  const qrs = await Promise.all(input.pages.map((p) => QRCode.toBuffer(p.qrText, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 })));
  const doc = new PDFDocument({
    size: 'A6',
    margins: { top: 28, bottom: 24, left: 24, right: 24 },
    autoFirstPage: false,
    lang: input.locale,
    info: { Title: input.title, Creator: 'Admit', Producer: 'Admit', CreationDate: input.createdAt, ModDate: input.createdAt },
  });
  for (const [name, data] of Object.entries(fonts())) doc.registerFont(name, data);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const accent = input.brand?.accent && /^#[0-9a-f]{6}$/i.test(input.brand.accent) ? input.brand.accent : null;
  // Opened once per document: given the bytes each time, pdfkit would decode and embed the image once per page.
  const image = input.brand?.image ? (doc as unknown as { openImage(src: Buffer): PDFKit.Mixins.ImageSrc }).openImage(input.brand.image) : null;
  for (const [i, p] of input.pages.entries()) {
    doc.addPage();
    if (accent) doc.rect(0, 0, doc.page.width, 10).fill(accent);
    if (image) {
      const [w, h] = BRAND_IMAGE_BOX;
      doc.image(image, (doc.page.width - w) / 2, doc.y, { fit: [w, h], align: 'center', valign: 'center' });
      doc.y += h + 4;
      doc.x = doc.page.margins.left;
    }
    doc.fillColor(accent ?? '#555555');
    line(doc, input.eventTitle, 10);
    doc.fillColor('#111111');
    doc.moveDown(0.3);
    line(doc, p.holderName, 16, true);
    doc.fillColor('#555555');
    line(doc, p.label, 8);
    doc.moveDown(0.4);
    const size = 150;
    const x = (doc.page.width - size) / 2;
    doc.image(qrs[i], x, doc.y, { width: size, height: size });
    doc.y += size + 6;
    doc.x = doc.page.margins.left;
    if (p.doorCode) {
      line(doc, input.doorCodeLabel, 8);
      doc.fillColor('#111111');
      line(doc, p.doorCode, 16, true);
      doc.fillColor('#555555');
    }
    doc.moveDown(0.4);
    doc.fillColor('#111111');
    for (const l of input.details ?? [input.tbaText]) line(doc, l, 9);
    doc.moveDown(0.3);
    doc.fillColor('#555555');
    line(doc, input.hint, 7);
  }
  doc.end();
  return done;
}
