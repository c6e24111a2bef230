import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { formatEventDetails } from '../../../mail/after-draw-mails.ts';
import { findApplicationByToken, verifyApplication, withdrawApplication } from '../../../services/applications.ts';
import { confirmOffer, declineOffer } from '../../../services/confirmations.ts';
import type { Deps } from '../../../services/deps.ts';
import { ticketsForApplication } from '../../../services/tickets.ts';
import { formatDoorCode } from '../../../domain/door-code.ts';
import { applicationStatus, emptyBodyIsObject, errorResponse, tokenParams } from './schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;

const applicantView = {
  type: 'object',
  required: ['id', 'status', 'verified', 'event', 'party'],
  properties: {
    id: { type: 'string' },
    status: applicationStatus,
    verified: { type: 'boolean', description: 'Only verified applications take part in the draw' },
    event: { type: 'object', properties: { slug: { type: 'string' }, title: { type: 'string' }, timezone: { type: 'string' } } },
    entryId: { ...nullableString, description: 'Pseudonymous id in the audit bundle, from the freeze on' },
    party: {
      type: 'object',
      properties: {
        size: { type: 'integer', description: 'Seats: the applicant plus guests (seats offered or confirmed, once there is an offer)' },
        applicant: { type: 'string' },
        guests: {
          type: 'array',
          items: {
            type: 'object',
            properties: { index: { type: 'integer', description: 'What confirm takes in keepGuests' }, name: { type: 'string' }, relation: { type: 'string' } },
          },
        },
      },
    },
    offer: {
      type: ['object', 'null'],
      description: 'An open offer: confirm before expiresAt (or decline)',
      properties: { source: { type: 'string', enum: ['invite', 'review', 'draw', 'waitlist'] }, expiresAt: { type: 'string', format: 'date-time' } },
    },
    confirmedAt: nullableString,
    details: {
      type: ['object', 'null'],
      description: 'Time and venue: only for a confirmed party, once the organizer revealed them',
      properties: {
        startsAt: { type: 'string', format: 'date-time' },
        endsAt: nullableString,
        venueName: nullableString,
        venueAddress: nullableString,
        venueMapUrl: nullableString,
        when: { type: 'string', description: 'Formatted in the request language and the event time zone' },
        where: { type: 'string' },
      },
    },
  },
} as const;

const ticketsView = {
  type: 'object',
  properties: {
    status: applicationStatus,
    tickets: {
      type: 'array',
      description: 'One per person of a confirmed party (empty otherwise)',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          position: { type: 'integer', description: '0 = the applicant, then the guests' },
          holderName: { type: 'string' },
          code: { type: 'string', description: 'What the QR code carries; the door scans it (POST /api/v1/checkin/scan)' },
          doorCode: { ...nullableString, description: 'The short code printed under the QR code ("ABCDE-FGHJK"), typed at the door when scanning fails' },
          checkedInAt: nullableString,
        },
      },
    },
  },
} as const;

function view(req: FastifyRequest, event: Event, a: Application) {
  const revealed = a.status === 'confirmed' ? formatEventDetails(event, req.locale) : null;
  return {
    id: a.id,
    status: a.status,
    verified: a.verified,
    event: { slug: event.slug, title: contentFor(event, req.locale).title, timezone: event.timezone },
    entryId: a.entryId,
    party: {
      size: a.seats ?? a.partySize,
      applicant: a.name,
      guests: a.guests.map((g, index) => ({ index, name: g.name, relation: g.relation })),
    },
    offer: a.status === 'offered' && a.offerExpiresAt ? { source: a.offerSource ?? 'draw', expiresAt: a.offerExpiresAt } : null,
    confirmedAt: a.confirmedAt,
    details: revealed
      ? {
          startsAt: event.startsAt!,
          endsAt: event.endsAt,
          venueName: event.venueName,
          venueAddress: event.venueAddress,
          venueMapUrl: event.venueMapUrl,
          when: revealed.when,
          where: revealed.where,
        }
      : null,
  };
}

/**
 * The applicant's API. The token of the mailed status link is the capability (160 bits, stored hashed):
 * whoever holds it may read and act on that one application, exactly like the status page.
 */
export default async function apiApplicationRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  async function respond(req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, a?: Application) {
    const application = a ?? (await findApplicationByToken(deps, req.params.token));
    const event = await findEventById(deps.database.db, application.eventId);
    if (!event) throw new AppError('event.not_found');
    return reply.header('Cache-Control', 'no-store').send(view(req, event, application));
  }

  const notFound = errorResponse('application.not_found: unknown token');
  const tags = ['applicant'];

  app.get<{ Params: { token: string } }>(
    '/api/v1/applications/:token',
    {
      schema: {
        tags,
        summary: 'An application: status, party, entry id, offer deadline, and time and venue once revealed to a confirmed party',
        params: tokenParams,
        response: { 200: applicantView, 404: notFound },
      },
    },
    (req, reply) => respond(req, reply),
  );

  app.post<{ Params: { token: string } }>(
    '/api/v1/applications/:token/verify',
    {
      schema: {
        tags,
        summary: 'Verify the email address (what the button on the page of the mailed link does); idempotent',
        params: tokenParams,
        response: { 200: applicantView, 404: notFound },
      },
    },
    async (req, reply) => respond(req, reply, await verifyApplication(deps, req.params.token)),
  );

  app.post<{ Params: { token: string }; Body: { keepGuests?: number[] } | undefined }>(
    '/api/v1/applications/:token/confirm',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags,
        summary: 'Confirm an offered place before its deadline, optionally with fewer guests (never more)',
        description: 'Repeating a confirmation changes nothing. Seats given back go to the waitlist at once. Tickets are issued with the confirmation.',
        params: tokenParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            keepGuests: {
              type: 'array',
              maxItems: 100,
              items: { type: 'integer', minimum: 0 },
              description: 'Indexes (party.guests[].index) of the guests who come; omitted = all of them. The applicant always comes.',
            },
          },
        },
        response: {
          200: applicantView,
          404: notFound,
          409: errorResponse('offer.not_offered: nothing to confirm; offer.expired: the deadline has passed'),
          422: errorResponse('offer.cannot_grow: an index beyond the offered seats; validation.failed'),
        },
      },
    },
    async (req, reply) => {
      await confirmOffer(deps, req.params.token, req.body?.keepGuests ? { keepGuests: req.body.keepGuests } : {});
      return respond(req, reply);
    },
  );

  app.post<{ Params: { token: string } }>(
    '/api/v1/applications/:token/decline',
    {
      schema: {
        tags,
        summary: 'Give an offered or confirmed place back (tickets are voided; the waitlist moves up); idempotent',
        params: tokenParams,
        response: { 200: applicantView, 404: notFound, 409: errorResponse('offer.not_offered: no place to give back') },
      },
    },
    async (req, reply) => {
      await declineOffer(deps, req.params.token);
      return respond(req, reply);
    },
  );

  app.post<{ Params: { token: string } }>(
    '/api/v1/applications/:token/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw the application, at any time; idempotent',
        params: tokenParams,
        response: { 200: applicantView, 404: notFound },
      },
    },
    async (req, reply) => {
      await withdrawApplication(deps, req.params.token);
      return respond(req, reply);
    },
  );

  app.get<{ Params: { token: string } }>(
    '/api/v1/applications/:token/tickets',
    {
      schema: {
        tags,
        summary: 'The tickets of a confirmed party: holder names and ticket codes',
        params: tokenParams,
        response: { 200: ticketsView, 404: notFound },
      },
    },
    async (req, reply) => {
      const a = await findApplicationByToken(deps, req.params.token);
      const tickets = a.status === 'confirmed' ? await ticketsForApplication(deps.database.db, deps.config.secret, a.id) : [];
      return reply.header('Cache-Control', 'no-store').send({
        status: a.status,
        tickets: tickets.map((t) => ({ id: t.id, position: t.position, holderName: t.holderName, code: t.token, doorCode: t.doorCode && formatDoorCode(t.doorCode), checkedInAt: t.checkedInAt })),
      });
    },
  );
}
