import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import type { Event } from '../../../domain/event.ts';
import { LOCALES } from '../../../domain/locales.ts';
import { listApplications, type Application } from '../../../db/repositories/applications.ts';
import { findEventBySlug } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { commitDraw, DRAW_GROUPS, freezeDraw, publicDrawState, runDraw, type GroupInput } from '../../../services/draw.ts';
import { INVITE_CATEGORIES, inviteGuest, MAX_INVITE_PARTY } from '../../../services/invites.ts';
import { isBlindReview } from '../../../db/repositories/review.ts';
import { MAX_NOTE, REVIEW_DECISIONS, reviewApplication, type ReviewDecision } from '../../../services/review.ts';
import { revealEvent, saveRevealDetails } from '../../../services/reveal.ts';
import { bearerSecurity, eventOfSlug, requireApiEventPermission } from '../../plugins/api-auth.ts';
import { eventOfApplication } from '../../plugins/auth.ts';
import { drawStateBody } from './draw.ts';
import { APPLICATION_STATUSES, applicationStatus, authErrors, drawStateSchema, emptyBodyIsObject, errorResponse, idParams, slugParams } from './schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
export const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;

/** What an organizer sees of an application (personal data: staff only). */
const adminApplication = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: applicationStatus,
    verified: { type: 'boolean' },
    kind: { type: 'string', enum: ['application', 'invite'] },
    category: nullableString,
    name: { type: 'string' },
    email: { type: 'string' },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2; ZZ for invitees' },
    locale: { type: 'string' },
    partySize: { type: 'integer' },
    seats: { ...nullableInt, description: 'Seats held once offered (may shrink at confirmation)' },
    guests: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, relation: { type: 'string' } } } },
    offerSource: nullableString,
    offerExpiresAt: nullableString,
    entryId: nullableString,
    drawPosition: { ...nullableInt, description: '0-based position in the draw order' },
    reviewNote: { ...nullableString, description: 'Internal; never shown to the applicant' },
    createdAt: { type: 'string' },
    verifiedAt: nullableString,
    confirmedAt: nullableString,
    withdrawnAt: nullableString,
  },
} as const;

/** An application as the organizer API shows it; under blind review (reviewer role) without name, address, country or guest names. */
function adminView(a: Application, blind = false) {
  const v = fullView(a);
  return blind ? { ...v, name: '', email: '', country: '', guests: v.guests.map((g) => ({ name: '', relation: g.relation })) } : v;
}

function fullView(a: Application) {
  return {
    id: a.id,
    status: a.status,
    verified: a.verified,
    kind: a.kind,
    category: a.category,
    name: a.name,
    email: a.email,
    country: a.country,
    locale: a.locale,
    partySize: a.partySize,
    seats: a.seats,
    guests: a.guests.map((g) => ({ name: g.name, relation: g.relation })),
    offerSource: a.offerSource,
    offerExpiresAt: a.offerExpiresAt,
    entryId: a.entryId,
    drawPosition: a.drawPosition,
    reviewNote: a.reviewNote,
    createdAt: a.createdAt,
    verifiedAt: a.verifiedAt,
    confirmedAt: a.confirmedAt,
    withdrawnAt: a.withdrawnAt,
  };
}

/** Engine paths (parameters.groups[1].maxBasisPoints) → request paths (groups.1.maxBasisPoints). */
function requestPaths(err: unknown): never {
  if (err instanceof AppError && err.code === 'draw.invalid') {
    const fields = err.fields.map((f) => ({ ...f, field: f.field.replace(/^parameters\./, '').replace(/\[(\d+)\]/g, '.$1') }));
    throw new AppError('draw.invalid', { fields, message: err.message });
  }
  throw err;
}

/** Form field names of the invite service → the API's body names. */
const INVITE_FIELD: Record<string, string> = { party_size: 'partySize' };

/** An ISO 8601 instant with any offset → the canonical UTC form the services store. */
const instant = (s: string | undefined | null): string | null => (s ? new Date(s).toISOString() : null);

interface FreezeBody {
  groups?: GroupInput[];
  publicRandomnessLabel?: string;
  excludeHeld?: boolean;
}
interface InviteBody {
  name: string;
  email: string;
  partySize: number;
  category: string;
  locale?: string;
}
interface RevealBody {
  startsAt: string;
  endsAt?: string | null;
  venueName: string;
  venueAddress?: string | null;
  venueMapUrl?: string | null;
  at?: string | null;
}
interface ListQuery {
  after?: string;
  limit?: string;
  status?: string;
  country?: string;
  verified?: 'true' | 'false';
}

/**
 * The organizer's API (bearer token, see src/http/plugins/api-auth.ts): the draw (commit → freeze → run),
 * invites, review, the application list and the reveal. Every route is a thin adapter over the service
 * the organizer pages use too.
 */
export default async function apiAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;
  // Every organizer API route acts on one event: the bearer's user must be on its team (owners/admins: every event).
  const manage = requireApiEventPermission(deps, 'manageEvents', eventOfSlug);
  const review = requireApiEventPermission(deps, 'reviewApplications', eventOfSlug);
  const reviewApplicationOf = requireApiEventPermission(deps, 'reviewApplications', eventOfApplication);
  const tags = ['organizer'];
  const security = bearerSecurity;
  const eventNotFound = errorResponse('event.not_found');

  async function eventBySlug(slug: string): Promise<Event> {
    const event = await findEventBySlug(db, slug);
    if (!event) throw new AppError('event.not_found');
    return event;
  }
  const drawState = async (event: Event) => drawStateBody(event, await publicDrawState(deps, event.id))!;

  app.post<{ Params: { slug: string }; Body: { publicRandomnessLabel?: string; drawAt?: string; groups?: GroupInput[] } | undefined }>(
    '/api/v1/admin/events/:slug/draw/commit',
    {
      preValidation: emptyBodyIsObject,
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Commit to a secret: its SHA-256 is published with the time (once per event, before the freeze)',
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            publicRandomnessLabel: {
              type: 'string',
              maxLength: 500,
              description:
                'An UNVERIFIED public randomness source named in advance, e.g. "Lotto 6aus49 numbers of 2026-12-05". Without it the draw uses ' +
                'drand quicknet (verified): the first round at or after drawAt',
            },
            drawAt: { type: 'string', format: 'date-time', description: 'drand: when the draw runs itself (after applications close; default a day after)' },
            groups: {
              type: 'array',
              minItems: 1,
              maxItems: DRAW_GROUPS.length,
              description: 'Weights and quotas, fixed with the commitment (default preferred 3, other 1, no quotas)',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['key', 'weight'],
                properties: {
                  key: { type: 'string', enum: [...DRAW_GROUPS] },
                  weight: { type: 'integer', minimum: 1, maximum: 1000 },
                  minBasisPoints: { ...nullableInt, minimum: 0, maximum: 10000 },
                  maxBasisPoints: { ...nullableInt, minimum: 0, maximum: 10000 },
                },
              },
            },
          },
        },
        response: { 201: drawStateSchema, ...authErrors, 404: eventNotFound, 409: errorResponse('draw.already_committed, draw.already_frozen'), 422: errorResponse('validation.failed, draw.invalid') },
      },
    },
    async (req, reply) => {
      const event = await eventBySlug(req.params.slug);
      const label = req.body?.publicRandomnessLabel?.trim();
      await commitDraw(deps, req.user!.id, event.id, {
        randomness: label ? { kind: 'unverified', label } : { kind: 'drand', drawAt: req.body?.drawAt ?? null },
        groups: req.body?.groups,
      });
      return reply.code(201).send(await drawState(event));
    },
  );

  app.post<{ Params: { slug: string }; Body: FreezeBody | undefined }>(
    '/api/v1/admin/events/:slug/draw/freeze',
    {
      preValidation: emptyBodyIsObject,
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Freeze the entry list and the parameters after applications closed; their hash is published',
        description:
          'Entries are the verified applications still in the pool. Seats = capacity minus seats held by invites and approvals. ' +
          `Groups: both of ${DRAW_GROUPS.join(', ')}; default weights preferred 3, other 1, no quotas.`,
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            groups: {
              type: 'array',
              minItems: 1,
              maxItems: DRAW_GROUPS.length,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['key', 'weight'],
                properties: {
                  key: { type: 'string', enum: [...DRAW_GROUPS], description: 'preferred = residents of the preferred countries' },
                  weight: { type: 'integer', minimum: 1, maximum: 1000, description: 'Tickets per entry' },
                  minBasisPoints: { ...nullableInt, minimum: 0, maximum: 10000, description: 'Minimum share of the seats (1/100 %)' },
                  maxBasisPoints: { ...nullableInt, minimum: 0, maximum: 10000, description: 'Maximum share of the seats (1/100 %)' },
                },
              },
            },
            publicRandomnessLabel: { type: 'string', maxLength: 500, description: 'Only for draws committed before format admit-draw/2; otherwise refused (draw.parameters_fixed)' },
            excludeHeld: { type: 'boolean', description: 'Leave applications on hold out of the entry list (otherwise the freeze is refused while any is held: draw.held_pending)' },
          },
        },
        response: {
          200: drawStateSchema,
          ...authErrors,
          404: eventNotFound,
          409: errorResponse('draw.not_committed, draw.already_frozen, draw.already_drawn, draw.intake_open (applications still open), draw.held_pending (applications on hold; see excludeHeld)'),
          422: errorResponse('draw.invalid (fields name the group), validation.failed'),
        },
      },
    },
    async (req) => {
      const event = await eventBySlug(req.params.slug);
      await freezeDraw(deps, req.user!.id, event.id, {
        groups: req.body?.groups,
        publicRandomnessLabel: req.body?.publicRandomnessLabel,
        excludeHeld: req.body?.excludeHeld === true,
      }).catch(requestPaths);
      return drawState(event);
    },
  );

  app.post<{ Params: { slug: string }; Body: { publicRandomnessValue?: string; beacon?: { round: number; signature: string }; excludeHeld?: boolean } | undefined }>(
    '/api/v1/admin/events/:slug/draw/run',
    {
      preValidation: emptyBodyIsObject,
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Run the draw: reveal the secret, derive the seed, publish the bundle, make offers and waitlist positions (with mails)',
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            publicRandomnessValue: { type: 'string', maxLength: 500, description: 'Required for an unverified source' },
            beacon: {
              type: 'object',
              required: ['round', 'signature'],
              properties: { round: { type: 'integer', minimum: 1 }, signature: { type: 'string', pattern: '^[0-9a-fA-F]{96}$' } },
              description: 'drand: the committed round as the relay publishes it (other fields ignored); its signature is verified (draw.beacon_invalid)',
            },
            excludeHeld: { type: 'boolean', description: 'Applications put on hold after the freeze get nothing from the draw (otherwise refused: draw.held_pending)' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              draw: drawStateSchema,
              offers: { type: 'integer', description: 'Parties that got an offer' },
              waitlisted: { type: 'integer', description: 'Parties put on the waitlist' },
            },
          },
          ...authErrors,
          404: eventNotFound,
          409: errorResponse('draw.not_committed, draw.not_frozen, draw.already_drawn, draw.held_pending'),
          422: errorResponse('draw.randomness_required, draw.beacon_invalid, draw.invalid'),
        },
      },
    },
    async (req) => {
      const event = await eventBySlug(req.params.slug);
      const outcome = await runDraw(deps, req.user!.id, event.id, {
        publicRandomnessValue: req.body?.publicRandomnessValue ?? null,
        beacon: req.body?.beacon ? { round: req.body.beacon.round, signature: req.body.beacon.signature.toLowerCase() } : undefined,
        excludeHeld: req.body?.excludeHeld === true,
      }).catch(requestPaths);
      return { draw: await drawState(event), offers: outcome.offers, waitlisted: outcome.waitlisted };
    },
  );

  app.post<{ Params: { slug: string }; Body: InviteBody }>(
    '/api/v1/admin/events/:slug/invites',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Invite a party directly (VIP, press, staff, partner): it gets an offer and a mail with a confirm link',
        description: 'Uses seats of the same capacity. An address that already applied becomes the invite.',
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'email', 'partySize', 'category'],
          properties: {
            name: { type: 'string', maxLength: 200 },
            email: { type: 'string', maxLength: 254 },
            partySize: { type: 'integer', minimum: 1, maximum: MAX_INVITE_PARTY, description: 'The invitee plus guests' },
            category: { type: 'string', enum: [...INVITE_CATEGORIES] },
            locale: { type: 'string', enum: [...LOCALES], description: "Language of the mails; default the event's" },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              applicationId: { type: 'string' },
              created: { type: 'boolean', description: 'false: an existing application became the invite' },
              offered: { type: 'boolean', description: 'false: the party already held seats' },
            },
          },
          ...authErrors,
          404: eventNotFound,
          409: errorResponse('selection.no_seats'),
          422: errorResponse('validation.failed'),
        },
      },
    },
    async (req, reply) => {
      const event = await eventBySlug(req.params.slug);
      const result = await inviteGuest(deps, req.user!.id, event.id, req.body).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'validation.failed') {
          throw new AppError('validation.failed', { fields: err.fields.map((f) => ({ ...f, field: INVITE_FIELD[f.field] ?? f.field })) });
        }
        throw err;
      });
      return reply.code(201).send(result);
    },
  );

  app.post<{ Params: { id: string }; Body: { action: ReviewDecision; note?: string; sendMail?: boolean } }>(
    '/api/v1/admin/applications/:id/review',
    {
      preHandler: reviewApplicationOf,
      schema: {
        tags,
        security,
        summary: 'Review a verified application: approve (an offer), reject, hold (out of the draw for now), release (back into the pool)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: {
            action: { type: 'string', enum: [...REVIEW_DECISIONS] },
            note: { type: 'string', maxLength: MAX_NOTE, description: 'Internal note, never shown to the applicant' },
            sendMail: { type: 'boolean', description: 'reject only: mail the applicant a kind rejection in their language (default false)' },
          },
        },
        response: {
          200: adminApplication,
          ...authErrors,
          404: errorResponse('application.not_found'),
          409: errorResponse('review.not_allowed (not from this status), selection.no_seats, draw.already_frozen (release after the freeze)'),
          422: errorResponse('validation.failed'),
        },
      },
    },
    async (req) => {
      const a = await reviewApplication(deps, req.user!.id, req.params.id, req.body.action, req.body.note ?? '', { sendMail: req.body.sendMail === true });
      return adminView(a, req.user!.role === 'reviewer' && (await isBlindReview(db, a.eventId)));
    },
  );

  app.get<{ Params: { slug: string }; Querystring: ListQuery }>(
    '/api/v1/admin/events/:slug/applications',
    {
      preHandler: review,
      schema: {
        tags,
        security,
        summary: 'Applications of an event, newest first, with keyset pagination',
        description: 'Pass the response\'s "next" as "after" for the next page; next is null on the last page.',
        params: slugParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', maxLength: 100, description: 'Cursor: the id of the last application of the previous page' },
            limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: `Page size, 1..${MAX_PAGE} (default ${DEFAULT_PAGE})` },
            status: { type: 'string', enum: [...APPLICATION_STATUSES] },
            country: { type: 'string', pattern: '^[A-Z]{2}$' },
            verified: { type: 'string', enum: ['true', 'false'] },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: adminApplication }, next: nullableString } },
          ...authErrors,
          404: eventNotFound,
          422: errorResponse('validation.failed'),
        },
      },
    },
    async (req) => {
      const event = await eventBySlug(req.params.slug);
      const q = req.query;
      const limit = Math.min(MAX_PAGE, Number(q.limit ?? DEFAULT_PAGE));
      // Blind review: a reviewer can neither see nor filter by country (ADR 0008).
      const blind = req.user!.role === 'reviewer' && (await isBlindReview(db, event.id));
      const rows = await listApplications(db, {
        eventId: event.id,
        status: q.status,
        country: blind ? undefined : q.country,
        verified: q.verified === undefined ? undefined : q.verified === 'true',
        after: q.after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { items: page.map((a) => adminView(a, blind)), next: rows.length > limit ? page[page.length - 1].id : null };
    },
  );

  app.post<{ Params: { slug: string }; Body: RevealBody }>(
    '/api/v1/admin/events/:slug/reveal',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Set time and venue and reveal them to confirmed guests now (mail with .ics), or schedule the reveal with "at"',
        description: 'After the reveal, changed details are mailed to confirmed guests as an update. Times are ISO 8601 with an offset.',
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['startsAt', 'venueName'],
          properties: {
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: ['string', 'null'], format: 'date-time' },
            venueName: { type: 'string', minLength: 1, maxLength: 200 },
            venueAddress: { type: ['string', 'null'], maxLength: 500 },
            venueMapUrl: { type: ['string', 'null'], maxLength: 2000, description: 'http(s) link to a map' },
            at: { type: ['string', 'null'], format: 'date-time', description: 'Reveal automatically at this time; omitted = reveal now' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              revealedAt: { ...nullableString, description: 'null while the reveal is only scheduled' },
              revealAt: nullableString,
              notified: { type: 'integer', description: 'Confirmed parties mailed by this request' },
            },
          },
          ...authErrors,
          404: eventNotFound,
          422: errorResponse('validation.failed, reveal.incomplete'),
        },
      },
    },
    async (req) => {
      const event = await eventBySlug(req.params.slug);
      const b = req.body;
      const saved = await saveRevealDetails(deps, req.user!.id, event.id, {
        startsAt: instant(b.startsAt),
        endsAt: instant(b.endsAt),
        venueName: b.venueName.trim() || null,
        venueAddress: b.venueAddress?.trim() || null,
        venueMapUrl: b.venueMapUrl?.trim() || null,
        revealAt: instant(b.at),
      });
      const now = b.at ? null : await revealEvent(deps, req.user!.id, event.id);
      const after = (await findEventBySlug(db, event.slug))!;
      return { revealedAt: after.revealedAt, revealAt: after.revealAt, notified: saved.notified + (now?.notified ?? 0) };
    },
  );
}
