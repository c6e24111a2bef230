import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { formatDate, formatDateTime, formatTime } from '../../../i18n/index.ts';
import { findEventById, findEventBySlug } from '../../../db/repositories/events.ts';
import type { Locale } from '../../../domain/locales.ts';
import { hashToken } from '../../../platform/random.ts';
import { checkInByCode, checkInCounts, type CheckInOutcome, eventOfDoorCode } from '../../../services/checkin.ts';
import type { Deps } from '../../../services/deps.ts';
import { normalizeTicketCode } from '../../../services/tickets.ts';
import { parseSignedTicket } from '../../../domain/signed-ticket.ts';
import { bearerSecurity, requireApiEventPermission } from '../../plugins/api-auth.ts';
import { authErrors, errorBody, errorResponse } from './schemas.ts';

/** A refused scan: status and error code per outcome (the page's statuses, with the API's error codes). */
const REFUSAL: Record<Exclude<CheckInOutcome, 'admitted'>, { status: number; code: string }> = {
  already_checked_in: { status: 409, code: 'ticket.already_used' },
  not_valid: { status: 409, code: 'ticket.not_valid' },
  unknown: { status: 404, code: 'ticket.not_found' },
  other_event: { status: 404, code: 'ticket.not_found' },
  bad_check: { status: 422, code: 'ticket.bad_check' },
};

const ticketSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    holderName: { type: 'string' },
    checkedInAt: { type: 'string', format: 'date-time', description: 'When the ticket was (first) checked in' },
  },
} as const;
const countsSchema = { type: 'object', properties: { expected: { type: 'integer' }, arrived: { type: 'integer' } } } as const;
const refusalSchema = (description: string) => ({
  ...errorBody,
  description,
  properties: { ...errorBody.properties, ticket: { ...ticketSchema, type: ['object', 'null'], properties: { ...ticketSchema.properties, checkedInAt: { type: ['string', 'null'] } } } },
});

/** Door staff (owner, admin, door) with a bearer token: scan a ticket code. */
export default async function apiCheckinRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  /** The event to check in at: the one named, else the ticket's own (a door app need not know it). */
  async function eventFor(code: string, slug: string | undefined) {
    if (slug) {
      const event = await findEventBySlug(deps.database.db, slug);
      if (!event || event.status === 'draft') throw new AppError('event.not_found');
      return event;
    }
    // A signed payload names its event (verified by checkInByCode with that event's key).
    const signed = parseSignedTicket(normalizeTicketCode(code));
    if (signed) return findEventById(deps.database.db, signed.eventId);
    const ticket = await deps.database.db.selectFrom('tickets').select('event_id').where('token_hash', '=', hashToken(normalizeTicketCode(code))).executeTakeFirst();
    const eventId = ticket?.event_id ?? (await eventOfDoorCode(deps.database.db, code));
    return eventId ? findEventById(deps.database.db, eventId) : null;
  }

  /** "19:04" in the event's time zone, with the date when it was another day (as the door page says it). */
  function when(iso: string, tz: string, locale: Locale): string {
    const sameDay = formatDate(iso, 'en', tz) === formatDate(deps.clock.now().toISOString(), 'en', tz);
    return sameDay ? formatTime(iso, locale, tz) : formatDateTime(iso, locale, tz);
  }

  app.post<{ Body: { code: string; event?: string; scan?: string } }>(
    '/api/v1/checkin/scan',
    {
      // The door's team check: the event named, else the ticket's own (unknown code: no event, answered 404 below).
      preHandler: requireApiEventPermission(deps, 'checkIn', async (req) => {
        const body = req.body as { code: string; event?: string };
        if (body.event) return (await findEventBySlug(deps.database.db, body.event))?.id ?? null;
        return (await eventFor(body.code, undefined))?.id ?? null;
      }),
      schema: {
        tags: ['check-in'],
        security: bearerSecurity,
        summary: 'Check a ticket in by its code (scanned from the QR or typed); idempotent',
        description:
          'The first scan admits (200). Every later scan of the same ticket is refused with 409 ticket.already_used and the time of the ' +
          'first check-in (ticket.checkedInAt); nothing changes. Two doors scanning at once admit the ticket once. A retry of the same ' +
          'scan (same `scan` id) gets the first answer again.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code'],
          properties: {
            code: {
              type: 'string',
              minLength: 1,
              maxLength: 500,
              description:
                'The QR content, a ticket URL ending in it, or the 10-symbol door code printed under the QR code (any case, hyphens optional; ' +
                'a door code with a wrong check symbol is refused with 422 ticket.bad_check)',
            },
            event: { type: 'string', maxLength: 200, description: "Slug of the event at this door; a ticket of another event is refused. Default: the ticket's event" },
            scan: {
              type: 'string',
              pattern: '^[A-Za-z0-9_-]{8,64}$',
              description:
                'Your id for this scan (e.g. a random UUID), the same when you retry it: a retried scan whose first attempt checked the ticket in ' +
                'is answered 200 admitted again (with the first checkedInAt) instead of 409 ticket.already_used.',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { outcome: { type: 'string', enum: ['admitted'] }, ticket: ticketSchema, counts: countsSchema },
          },
          ...authErrors,
          404: refusalSchema('ticket.not_found: unknown code or a ticket of another event; event.not_found'),
          409: refusalSchema('ticket.already_used (ticket.checkedInAt says when), ticket.not_valid (the place was given back)'),
          422: { ...refusalSchema('ticket.bad_check: a door code with a wrong check symbol (a typo)'), description: 'ticket.bad_check (a mistyped door code); validation.failed' },
        },
      },
    },
    async (req, reply) => {
      const event = await eventFor(req.body.code, req.body.event);
      reply.header('Cache-Control', 'no-store');
      const result = event ? await checkInByCode(deps, event.id, req.body.code, req.user!.id, req.body.scan ?? null) : null;
      const ticket = result?.ticketId ? { id: result.ticketId, holderName: result.holderName ?? '', checkedInAt: result.checkedInAt } : null;
      if (result?.outcome === 'admitted') {
        return { outcome: 'admitted', ticket, counts: await checkInCounts(deps.database.db, event!.id) };
      }
      const refusal = REFUSAL[result?.outcome ?? 'unknown'];
      const time = result?.checkedInAt && event ? when(result.checkedInAt, event.timezone, req.locale) : '';
      // Sent here rather than thrown: the refusal carries the ticket (and when it was used) next to the error.
      return reply.code(refusal.status).send({
        error: { code: refusal.code, message: req.t(`checkin.result_${result?.outcome ?? 'unknown'}`, { time }) },
        ticket,
      });
    },
  );
}
