import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor } from '../../../domain/event.ts';
import { loadBrand } from '../../../services/brand.ts';
import { brandStyles } from '../../views/brand.ts';
import { formatDoorCode } from '../../../domain/door-code.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { eventIcs, formatEventDetails, ICS_CONTENT_TYPE } from '../../../mail/after-draw-mails.ts';
import { calendarSequence } from '../../../services/calendar.ts';
import { findApplicationByToken } from '../../../services/applications.ts';
import type { Deps } from '../../../services/deps.ts';
import { qrDataUrl, ticketsForApplication } from '../../../services/tickets.ts';
import { pageContext, sendPage } from '../../page.ts';
import { guestTicketPage, ticketsPage } from '../../views/public/tickets.ts';
import { useApplicantLocale } from './applicant-locale.ts';
import { findGuestTicket } from '../../../services/guest-tickets.ts';
import { ticketPdf, TICKET_PDF_TYPE } from '../../../services/ticket-pdf.ts';
import { isLocale, type Locale } from '../../../domain/locales.ts';
import { translator } from '../../../i18n/index.ts';

function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string) {
  return reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header('Content-Disposition', `attachment; filename="${filename}"`)
    .type(TICKET_PDF_TYPE)
    .send(pdf);
}

/** A guest's pages speak the language of their ticket unless ?lang= picks another (returned, to keep it on links). */
function guestLocale(req: FastifyRequest, reply: FastifyReply, locale: Locale): Locale | null {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(q)) return q;
  req.locale = locale;
  req.t = translator(locale);
  reply.header('Content-Language', locale);
  return null;
}

/** The printable tickets of a confirmed party, behind the status link. */
export default async function publicTicketRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  app.get<{ Params: { token: string }; Querystring: { confirmed?: string } }>('/a/:token/tickets', async (req, reply) => {
    const application = await findApplicationByToken(deps, req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    if (application.status !== 'confirmed') return reply.redirect(link(), 303);
    const event = await findEventById(deps.database.db, application.eventId);
    if (!event) throw new AppError('event.not_found');
    const tickets = await ticketsForApplication(deps.database.db, deps.config.secret, application.id);
    const cards = await Promise.all(tickets.map(async (tk) => ({ ...tk, doorCode: tk.doorCode && formatDoorCode(tk.doorCode), qr: await qrDataUrl(tk.token) })));
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(
      reply,
      ctx,
      req.t('tickets.title'),
      ticketsPage(ctx, {
        eventTitle: contentFor(event, req.locale).title,
        timezone: event.timezone,
        link,
        tickets: cards,
        details: formatEventDetails(event, req.locale),
        justConfirmed: req.query.confirmed === '1',
      }),
      { styles: brandStyles(await loadBrand(deps.database.db, event.id)) },
    );
  });

  /** The party's tickets as a PDF (one page per person), the same the confirmation and reveal mails carry. */
  app.get<{ Params: { token: string } }>('/a/:token/tickets.pdf', async (req, reply) => {
    const application = await findApplicationByToken(deps, req.params.token);
    useApplicantLocale(req, reply, req.params.token, application);
    const pdf = await ticketPdf(deps.database.db, deps.config.secret, { applicationId: application.id, locale: req.locale }, deps.clock.now());
    if (!pdf) throw new AppError('not_found');
    return sendPdf(reply, pdf, 'tickets.pdf');
  });

  /** A guest's own ticket behind their own link (ADR 0014): only their ticket, never the party's application. */
  app.get<{ Params: { token: string } }>('/t/:token', async (req, reply) => {
    const guest = await findGuestTicket(deps, req.params.token);
    const lang = guestLocale(req, reply, guest.locale);
    const all = await ticketsForApplication(deps.database.db, deps.config.secret, guest.applicationId);
    const tk = all.find((x) => x.id === guest.ticketId);
    if (!tk) throw new AppError('application.not_found');
    const applicant = await deps.database.db.selectFrom('applications').select('name').where('id', '=', guest.applicationId).executeTakeFirstOrThrow();
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(
      reply,
      ctx,
      req.t('guestticket.page.title'),
      guestTicketPage(ctx, {
        eventTitle: contentFor(guest.event, req.locale).title,
        timezone: guest.event.timezone,
        applicantName: applicant.name,
        pdfUrl: `/t/${req.params.token}/ticket.pdf${lang ? `?lang=${lang}` : ''}`,
        details: formatEventDetails(guest.event, req.locale),
        ticket: { ...tk, doorCode: tk.doorCode && formatDoorCode(tk.doorCode), qr: await qrDataUrl(tk.token) },
      }),
    );
  });

  app.get<{ Params: { token: string } }>('/t/:token/ticket.pdf', async (req, reply) => {
    const guest = await findGuestTicket(deps, req.params.token);
    guestLocale(req, reply, guest.locale);
    const pdf = await ticketPdf(deps.database.db, deps.config.secret, { applicationId: guest.applicationId, ticketId: guest.ticketId, locale: req.locale }, deps.clock.now());
    if (!pdf) throw new AppError('not_found');
    return sendPdf(reply, pdf, 'ticket.pdf');
  });

  /** A guest's calendar entry (the reminder links it), once revealed. */
  app.get<{ Params: { token: string } }>('/t/:token/event.ics', async (req, reply) => {
    const guest = await findGuestTicket(deps, req.params.token);
    guestLocale(req, reply, guest.locale);
    const event = guest.event;
    const ics = event.revealedAt
      ? eventIcs(event, req.locale, contentFor(event, req.locale).title, deps.clock.now().toISOString(), deps.config.publicUrl, await calendarSequence(deps.database.db, event.id))
      : null;
    return sendIcs(reply, ics);
  });

  /** "Add to calendar": the same entry the reveal mailed (UID, current SEQUENCE), for a confirmed party once revealed. */
  app.get<{ Params: { token: string } }>('/a/:token/event.ics', async (req, reply) => {
    const application = await findApplicationByToken(deps, req.params.token);
    const event = await findEventById(deps.database.db, application.eventId);
    if (!event) throw new AppError('event.not_found');
    useApplicantLocale(req, reply, req.params.token, application);
    const ics =
      application.status === 'confirmed' && event.revealedAt
        ? eventIcs(event, req.locale, contentFor(event, req.locale).title, deps.clock.now().toISOString(), deps.config.publicUrl, await calendarSequence(deps.database.db, event.id))
        : null;
    return sendIcs(reply, ics);
  });
}

/** A calendar entry as a download, never cached or leaked by Referer (its URL carries a capability token). */
function sendIcs(reply: FastifyReply, ics: string | null) {
  if (!ics) throw new AppError('not_found');
  return reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header('Content-Disposition', 'attachment; filename="event.ics"')
    .type(ICS_CONTENT_TYPE)
    .send(ics);
}
