import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor } from '../../../domain/event.ts';
import { formatDoorCode } from '../../../domain/door-code.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { formatEventDetails } from '../../../mail/after-draw-mails.ts';
import { findApplicationByToken } from '../../../services/applications.ts';
import type { Deps } from '../../../services/deps.ts';
import { qrDataUrl, ticketsForApplication } from '../../../services/tickets.ts';
import { pageContext, sendPage } from '../../page.ts';
import { ticketsPage } from '../../views/public/tickets.ts';

/** The printable tickets of a confirmed party, behind the status link. */
export default async function publicTicketRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  app.get<{ Params: { token: string }; Querystring: { confirmed?: string } }>('/a/:token/tickets', async (req, reply) => {
    const application = await findApplicationByToken(deps, req.params.token);
    if (application.status !== 'confirmed') return reply.redirect(`/a/${req.params.token}`, 303);
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
        token: req.params.token,
        tickets: cards,
        details: formatEventDetails(event, req.locale),
        justConfirmed: req.query.confirmed === '1',
      }),
    );
  });
}
