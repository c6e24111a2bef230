import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import { formatDoorCode } from '../domain/door-code.ts';
import { contentFor } from '../domain/event.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../domain/locales.ts';
import { findEventById } from '../db/repositories/events.ts';
import { t } from '../i18n/index.ts';
import { formatEventDetails } from '../mail/after-draw-mails.ts';
import type { Attachment } from '../mail/outbox.ts';
import { ticketsForApplication } from './tickets.ts';
import { findBrandImage, loadBrand } from './brand.ts';

export const TICKET_PDF_TYPE = 'application/pdf';

/**
 * The PDF tickets of a confirmed party (all of them, or the one ticket of a guest with their own link), in a
 * language, from the current state: voided tickets are left out, time and venue are printed only once revealed.
 * null when nothing is left to print (the place was given back). The QR text is the one the tickets page shows
 * (services/tickets.ts), never built here.
 */
export async function ticketPdf(db: Queryable, secret: string, o: { applicationId: string; ticketId?: string | null; locale: string }, now: Date): Promise<Buffer | null> {
  const locale: Locale = isLocale(o.locale) ? o.locale : DEFAULT_LOCALE;
  const app = await db.selectFrom('applications').select(['event_id', 'status']).where('id', '=', o.applicationId).executeTakeFirst();
  if (!app || app.status !== 'confirmed') return null;
  const event = await findEventById(db, app.event_id);
  if (!event) return null;
  const all = await ticketsForApplication(db, secret, o.applicationId);
  const tickets = o.ticketId ? all.filter((tk) => tk.id === o.ticketId) : all;
  if (!tickets.length) return null;
  const title = contentFor(event, locale).title;
  const d = formatEventDetails(event, locale);
  const brand = await ticketBrand(db, event.id);
  // Loaded on first use: pdfkit and fontkit are heavy, and the sender thread starts faster without them.
  const { renderTicketPdf } = await import('../tickets/pdf.ts');
  return renderTicketPdf({
    locale,
    eventTitle: title,
    title: `${t(locale, 'tickets.title')} · ${title}`,
    details: d ? [`${t(locale, 'event.when')}: ${d.when}`, `${t(locale, 'event.where')}: ${d.where}`] : null,
    tbaText: t(locale, 'ticketpdf.tba'),
    doorCodeLabel: t(locale, 'doorcode.ticket_label'),
    hint: t(locale, 'ticketpdf.hint'),
    createdAt: now,
    pages: tickets.map((tk) => ({
      holderName: tk.holderName,
      qrText: tk.token,
      doorCode: tk.doorCode && formatDoorCode(tk.doorCode),
      label: t(locale, 'tickets.ticket_n', { n: tk.position + 1, total: all.length }),
    })),
    brand,
  });
}

/**
 * The brand on a ticket (ADR 0016): the accent colour, and the logo (else the cover) as stored — re-encoded on upload
 * (services/brand-images.ts), so the PNG/JPEG fallback rendition is what pdfkit embeds (it cannot read WebP): the
 * largest one up to 480 px wide, plenty for a 140 pt box.
 */
async function ticketBrand(db: Queryable, eventId: string): Promise<{ accent: string | null; image: Buffer | null } | undefined> {
  const brand = await loadBrand(db, eventId);
  const set = brand.logo ?? brand.cover;
  const rendition = set?.renditions
    .filter((r) => r.contentType === 'image/png' || r.contentType === 'image/jpeg')
    .filter((r, _, all) => r.width <= 480 || r === all[0])
    .at(-1);
  const image = rendition ? ((await findBrandImage(db, rendition.hash))?.data ?? null) : null;
  if (!brand.accentColour && !image) return undefined;
  return { accent: brand.accentColour, image: image ? Buffer.from(image) : null };
}

/**
 * A PDF ticket in the outbox is a reference, made into the PDF when the mail is sent (ADR 0014): a reveal to
 * 10,000 guests writes 10,000 small rows in its transaction instead of rendering 10,000 PDFs in it, and the
 * ticket shows the state at sending (a place given back in between sends no ticket).
 */
export function ticketPdfAttachment(o: { applicationId: string; ticketId?: string | null; locale: Locale }): Attachment {
  return { filename: 'tickets.pdf', contentType: TICKET_PDF_TYPE, content: '', ticketPdf: { applicationId: o.applicationId, ticketId: o.ticketId ?? null, locale: o.locale } };
}

/** For the sender: the row with its ticket references rendered into PDFs (a reference with nothing to print is dropped). */
export function ticketPdfResolver(db: Queryable, secret: string, clock: Clock): (row: OutboxRow) => Promise<OutboxRow> {
  return async (row) => {
    if (!row.attachments || !row.attachments.includes('"ticketPdf"')) return row;
    const list = JSON.parse(row.attachments) as Attachment[];
    const out: Attachment[] = [];
    for (const a of list) {
      if (!a.ticketPdf) {
        out.push(a);
        continue;
      }
      const pdf = await ticketPdf(db, secret, a.ticketPdf, clock.now());
      if (pdf) out.push({ filename: a.filename, contentType: a.contentType, content: pdf.toString('base64') });
    }
    return { ...row, attachments: JSON.stringify(out) };
  };
}
