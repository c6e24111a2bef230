import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import type { Event } from '../../../domain/event.ts';
import { findBundleJson } from '../../../db/repositories/draws.ts';
import { requireEvent } from '../../../services/applications.ts';
import type { Deps } from '../../../services/deps.ts';
import { publicDrawState, type PublicDrawState } from '../../../services/draw.ts';
import { drawStateSchema, errorResponse, slugParams } from './schemas.ts';

/** PublicDrawState (the public page's data) → the API's shape; null when nothing is committed. */
export function drawStateBody(event: Pick<Event, 'slug'>, s: PublicDrawState) {
  if (s.status === 'none') return null;
  return {
    status: s.status,
    commitment: s.commitment!,
    committedAt: s.committedAt!,
    publicRandomness: s.publicRandomnessLabel ? { label: s.publicRandomnessLabel, value: s.drawn?.publicRandomnessValue ?? null } : null,
    // admit-draw/2: the named source (drand: chain, round, its time, overdue) and what the commitment fixed.
    randomness: s.randomness ?? null,
    committed: s.committedGroups ? { seats: s.committedSeats ?? null, groups: s.committedGroups.map((g) => ({ key: g.key, weight: g.weight, minBasisPoints: g.minBasisPoints ?? null, maxBasisPoints: g.maxBasisPoints ?? null })) } : null,
    freeze: s.frozen
      ? {
          frozenAt: s.frozen.at,
          freezeHash: s.frozen.freezeHash,
          entries: s.frozen.entries,
          seats: s.frozen.seats,
          heldExcluded: s.frozen.heldExcluded,
          exclusions: s.frozen.exclusions ?? null,
          secret: s.frozen.secret ?? null,
          groups: s.frozen.groups.map((g) => ({ key: g.key, weight: g.weight, minBasisPoints: g.minBasisPoints, maxBasisPoints: g.maxBasisPoints, entries: g.entries, people: g.people })),
        }
      : null,
    result: s.drawn
      ? {
          drawnAt: s.drawn.at,
          resultHash: s.drawn.resultHash,
          secret: s.drawn.secret,
          seed: s.drawn.seed,
          selected: s.drawn.selected,
          waitlist: s.drawn.waitlist,
          groups: s.frozen!.groups.map((g) => ({ key: g.key, selected: g.selected ?? 0, seatsDrawn: g.seatsDrawn ?? 0, waitlist: g.waitlist ?? 0 })),
        }
      : null,
    bundleUrl: s.drawn ? `/api/v1/events/${event.slug}/draw/bundle` : null,
  };
}

/** Public: the draw's published values and the audit bundle anyone can re-run (`admit verify-draw`). */
export default async function apiDrawRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get<{ Params: { slug: string } }>(
    '/api/v1/events/:slug/draw',
    {
      schema: {
        tags: ['draw'],
        summary: "An event's draw: commitment, frozen entry list, parameters and result as far as published",
        params: slugParams,
        response: { 200: drawStateSchema, 404: errorResponse('event.not_found, or not_found: the organizer has not committed to a draw') },
      },
    },
    async (req) => {
      const event = await requireEvent(deps.database.db, req.params.slug);
      const body = drawStateBody(event, await publicDrawState(deps, event.id));
      if (!body) throw new AppError('not_found');
      return body;
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/events/:slug/draw/bundle',
    {
      schema: {
        tags: ['draw'],
        summary: 'The audit bundle of a draw (pseudonymous), as published',
        description:
          'Entries (HMAC ids, group, weight, party size), parameters, commitment, revealed secret, entry-list hash, seed and result order. ' +
          'Re-run it with `admit verify-draw bundle.json`; the format is specified in docs/mechanisms/draw.md. Immutable once published.',
        params: slugParams,
        response: {
          200: { type: 'object', additionalProperties: true, description: 'The audit bundle (docs/mechanisms/draw.md)' },
          404: errorResponse('event.not_found, or not_found: no draw has taken place yet'),
        },
      },
    },
    async (req, reply) => {
      const event = await requireEvent(deps.database.db, req.params.slug);
      const bundle = await findBundleJson(deps.database.db, event.id);
      if (!bundle) throw new AppError('not_found');
      // The stored text is sent as is: it is what the result hash covers, and can be megabytes.
      return reply.type('application/json; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(bundle);
    },
  );
}
