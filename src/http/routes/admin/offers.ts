import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { utcToWallTime, wallTimeToUtc } from '../../../domain/wall-time.ts';
import { findApplicationById } from '../../../db/repositories/applications.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import { extendOffer } from '../../../services/deadlines.ts';
import type { Deps } from '../../../services/deps.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { eventHeader } from '../../views/admin/event-tabs.ts';
import { offersPage, type OfferRow } from '../../views/admin/offers.ts';
import { errorMessage } from '../../views/form.ts';

const SHOWN = 200;

/** Open offers of an event by deadline, each with "extend" (services/deadlines.ts extendOffer). */
export default async function offerAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requireEventPermission('manageEvents');

  async function loadEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  async function render(req: FastifyRequest, reply: FastifyReply, event: Event, o: { status?: number; error?: { id: string; message: string; value: string }; extended?: string } = {}) {
    const { db } = deps.database;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('applications')
        .select(['id', 'name', 'email', 'seats', 'offer_source', 'offer_expires_at', 'offer_reminded_at'])
        .where('event_id', '=', event.id)
        .where('status', '=', 'offered')
        .orderBy('offer_expires_at')
        .orderBy('id')
        .limit(SHOWN)
        .execute(),
      db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).where('status', '=', 'offered').executeTakeFirst(),
    ]);
    const offers: OfferRow[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      seats: r.seats ?? 1,
      source: r.offer_source ?? '',
      deadline: r.offer_expires_at ? formatDateTime(r.offer_expires_at, req.locale, event.timezone) : '',
      reminded: !!r.offer_reminded_at,
      // The suggestion: two more days, in the event's zone (datetime-local).
      suggest: r.offer_expires_at ? utcToWallTime(new Date(Date.parse(r.offer_expires_at) + 48 * 3_600_000).toISOString(), event.timezone) : '',
    }));
    const ctx = pageContext(req, reply);
    return sendPage(
      reply,
      ctx,
      `${req.t('deadlines.offers_title')}: ${contentFor(event, req.locale).title}`,
      offersPage(ctx, { header: eventHeader(req.t, req.locale, event, 'guests', req.user!.role), event: { id: event.id, title: contentFor(event, req.locale).title, timezone: event.timezone }, offers, total: Number(total?.n ?? 0), error: o.error, extended: o.extended }),
      { status: o.status, wide: true },
    );
  }

  app.get<{ Params: { id: string }; Querystring: { extended?: string } }>('/admin/events/:id/offers', { preHandler: guard }, async (req, reply) =>
    render(req, reply, await loadEvent(req.params.id), { extended: typeof req.query.extended === 'string' ? req.query.extended.slice(0, 40) : undefined }),
  );

  app.post<{ Params: { id: string; appId: string } }>('/admin/events/:id/offers/:appId/extend', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await loadEvent(req.params.id);
    const application = await findApplicationById(deps.database.db, req.params.appId);
    if (!application || application.eventId !== event.id) throw new AppError('application.not_found');
    const v = formValues(req.body);
    const typed = (v.expiresAt ?? '').trim();
    const iso = typed ? wallTimeToUtc(typed, event.timezone) : null;
    try {
      if (!iso) throw new AppError('validation.failed', { fields: [{ field: 'expiresAt', code: typed ? 'invalid_datetime' : 'required' }] });
      await extendOffer(deps, req.user!.id, application.id, iso);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') {
        return render(req, reply, event, { status: 422, error: { id: application.id, message: errorMessage(req.t, err.fields[0]), value: typed } });
      }
      throw err;
    }
    return reply.redirect(`/admin/events/${encodeURIComponent(event.id)}/offers?extended=${encodeURIComponent(application.id)}`, 303);
  });
}
