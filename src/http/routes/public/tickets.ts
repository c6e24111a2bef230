import type { FastifyInstance } from 'fastify';
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
import { ticketsPage } from '../../views/public/tickets.ts';
import { useApplicantLocale } from './applicant-locale.ts';

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
    if (!ics) throw new AppError('not_found');
    return reply
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'no-referrer')
      .header('Content-Disposition', 'attachment; filename="event.ics"')
      .type(ICS_CONTENT_TYPE)
      .send(ics);
  });
}
