import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventHeader } from '../../views/admin/event-tabs.ts';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { formatDate, formatDateTime, formatTime, type Translator } from '../../../i18n/index.ts';
import type { Locale } from '../../../domain/locales.ts';
import {
  checkInByCode,
  checkInByTicketId,
  checkInCounts,
  searchTickets,
  type CheckInOutcome,
  type CheckInResult,
} from '../../../services/checkin.ts';
import type { Deps } from '../../../services/deps.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission, requirePermission } from '../../plugins/auth.ts';
import { listEventsFor } from '../../../services/teams.ts';
import { checkinEventsPage, checkinPage, type CheckInMessage } from '../../views/checkin.ts';

/** HTTP status per outcome: the door's answer is also machine-readable. */
const STATUS: Record<CheckInOutcome, number> = { admitted: 200, already_checked_in: 409, unknown: 404, other_event: 404, not_valid: 409, bad_check: 422 };

/** "19:04" in the event's time zone, with the date when it was another day. */
function when(iso: string, now: Date, locale: Locale, tz: string): string {
  return formatDate(iso, locale, tz) === formatDate(now.toISOString(), locale, tz) ? formatTime(iso, locale, tz) : formatDateTime(iso, locale, tz);
}

function message(t: Translator, r: CheckInResult, now: Date, locale: Locale, tz: string): CheckInMessage {
  const time = r.checkedInAt ? when(r.checkedInAt, now, locale, tz) : '';
  return { ok: r.outcome === 'admitted', title: t(`checkin.result_${r.outcome}`, { time }), detail: r.holderName ?? '' };
}

/** Door staff (owner, admin, door): scan or type a ticket code, or find a name; live counts. */
export default async function checkinRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requirePermission('checkIn');
  /** Routes of one event's door: the door person must be on that event's team. */
  const eventGuard = requireEventPermission('checkIn', (req) => (req.params as { eventId?: string }).eventId ?? null);

  async function requireEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event || event.status === 'draft') throw new AppError('event.not_found');
    return event;
  }

  app.get('/checkin', { preHandler: guard }, async (req, reply) => {
    const events = (await listEventsFor(deps, req.user!)).filter((e) => e.status !== 'draft');
    const rows = await Promise.all(events.map(async (e) => ({ id: e.id, title: contentFor(e, req.locale).title, counts: await checkInCounts(deps.database.db, e.id) })));
    const withTickets = rows.filter((r) => r.counts.expected > 0);
    if (withTickets.length === 1) return reply.redirect(`/checkin/${withTickets[0].id}`, 303);
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, req.t('checkin.title'), checkinEventsPage(ctx, withTickets.length ? withTickets : rows));
  });

  async function render(req: FastifyRequest, reply: FastifyReply, event: Event, query: string, result: CheckInResult | null) {
    const now = deps.clock.now();
    const ctx = pageContext(req, reply);
    const hits = query.trim()
      ? (await searchTickets(deps.database.db, event.id, query)).map((h) => ({
          ...h,
          arrivedLabel: h.checkedInAt ? req.t('checkin.arrived_at', { time: when(h.checkedInAt, now, req.locale, event.timezone) }) : null,
        }))
      : null;
    return sendPage(
      reply,
      ctx,
      req.t('checkin.title'),
      checkinPage(ctx, {
        eventId: event.id,
        eventTitle: contentFor(event, req.locale).title,
        header: eventHeader(req.t, req.locale, event, 'checkin', req.user!.role),
        counts: await checkInCounts(deps.database.db, event.id),
        result: result ? message(req.t, result, now, req.locale, event.timezone) : null,
        query,
        hits,
        scanId: deps.random.bytes(12).toString('base64url'),
      }),
      { status: result ? STATUS[result.outcome] : 200, scripts: ['/assets/checkin.js'] },
    );
  }

  app.get<{ Params: { eventId: string }; Querystring: { q?: string } }>('/checkin/:eventId', { preHandler: eventGuard }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    return render(req, reply, event, (req.query.q ?? '').slice(0, 100), null);
  });

  /** The form post (works without JavaScript): a typed code, or a ticket picked from the name search. */
  app.post<{ Params: { eventId: string } }>('/checkin/:eventId', { preHandler: [eventGuard, app.csrfProtection] }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    const v = formValues(req.body);
    const result = v.ticket
      ? await checkInByTicketId(deps, event.id, v.ticket, req.user!.id, v.scan ?? null)
      : await checkInByCode(deps, event.id, v.code ?? '', req.user!.id, v.scan ?? null);
    return render(req, reply, event, (v.q ?? '').slice(0, 100), result);
  });

  /** The scanner's endpoint: JSON in and out, CSRF token in the x-csrf-token header. */
  app.post<{ Params: { eventId: string }; Body: { code: string; scan?: string } }>(
    '/checkin/:eventId/scan',
    {
      preHandler: [eventGuard, app.csrfProtection],
      schema: {
        body: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 500 }, scan: { type: 'string', maxLength: 64 } } },
      },
    },
    async (req, reply) => {
      const event = await requireEvent(req.params.eventId);
      const result = await checkInByCode(deps, event.id, req.body.code, req.user!.id, req.body.scan ?? null);
      const counts = await checkInCounts(deps.database.db, event.id);
      return reply
        .code(STATUS[result.outcome])
        .header('Cache-Control', 'no-store')
        .send({ outcome: result.outcome, checkedInAt: result.checkedInAt, ...message(req.t, result, deps.clock.now(), req.locale, event.timezone), counts });
    },
  );

  app.get<{ Params: { eventId: string } }>('/checkin/:eventId/counts', { preHandler: eventGuard }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    return reply.header('Cache-Control', 'no-store').send(await checkInCounts(deps.database.db, event.id));
  });
}
