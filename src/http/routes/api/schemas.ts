/**
 * JSON schemas shared by the selection API (draw, applicant, organizer, check-in). Fastify validates
 * requests and serializes responses with them, and @fastify/swagger turns them into /api/openapi.json.
 */

/** The error body of every API route (src/http/plugins/errors.ts). */
export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code, e.g. draw.already_frozen, validation.failed' },
        message: { type: 'string', description: 'Human-readable message in the request language' },
        fields: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;

/** An error response documented with the codes it may carry. */
export const errorResponse = (description: string) => ({ ...errorBody, description });

export const authErrors = {
  401: errorResponse('auth.required: no, an unknown or a revoked bearer token'),
  403: errorResponse("auth.forbidden: the token's user lacks the role for this"),
} as const;

export const slugParams = { type: 'object', required: ['slug'], properties: { slug: { type: 'string', maxLength: 200 } } } as const;
export const tokenParams = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', maxLength: 200, description: 'The token of the mailed status link /a/{token}' } },
} as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const APPLICATION_STATUSES = ['submitted', 'held', 'rejected', 'offered', 'confirmed', 'declined', 'expired', 'waitlisted', 'not_selected', 'withdrawn'] as const;
export const applicationStatus = {
  type: 'string',
  enum: [...APPLICATION_STATUSES],
  description: 'submitted (in the pool; see verified), held/rejected (review), offered (confirm by offer.expiresAt), confirmed, declined, expired, waitlisted, not_selected, withdrawn',
} as const;

const groupParameters = {
  key: { type: 'string' },
  weight: { type: 'integer' },
  minBasisPoints: nullableInt,
  maxBasisPoints: nullableInt,
} as const;

/** The public record of a draw: everything published so far, nothing personal. */
export const drawStateSchema = {
  type: 'object',
  required: ['status', 'commitment', 'committedAt'],
  properties: {
    status: { type: 'string', enum: ['committed', 'frozen', 'drawn'] },
    commitment: { type: 'string', description: 'SHA-256 (hex) of the secret, published before the entry list is frozen' },
    committedAt: { type: 'string', format: 'date-time' },
    publicRandomness: {
      type: ['object', 'null'],
      description: 'Public randomness named in advance (label); its value once the draw ran',
      properties: { label: { type: 'string' }, value: nullableString },
    },
    randomness: {
      type: ['object', 'null'],
      description:
        'admit-draw/2: the public randomness fixed at the commitment. drand: the chain (hash), its name, the round, the time it is published and whether the draw is overdue (no result 10 minutes after); unverified: its label. Null for older draws.',
      properties: {
        kind: { type: 'string', enum: ['drand', 'unverified'] },
        chain: { type: 'string' },
        chainName: { type: 'string' },
        round: { type: 'integer' },
        at: { type: 'string', format: 'date-time' },
        overdue: { type: 'boolean' },
        label: { type: 'string' },
      },
    },
    committed: {
      type: ['object', 'null'],
      description: 'admit-draw/2: the seats, weights and quotas fixed at the commitment (the freeze may not change them)',
      properties: { seats: nullableInt, groups: { type: 'array', items: { type: 'object', properties: groupParameters } } },
    },
    freeze: {
      type: ['object', 'null'],
      description: 'The frozen entry list and the parameters (null before the freeze)',
      properties: {
        exclusions: {
          type: ['object', 'null'],
          description: 'Applications that are not entries, by reason (counts only; admit-draw/2)',
          properties: { held: { type: 'integer' }, rejected: { type: 'integer' }, withdrawn: { type: 'integer' }, unverified: { type: 'integer' }, seated: { type: 'integer' } },
        },
        secret: { ...nullableString, description: 'admit-draw/2: the secret behind the commitment, published at the freeze' },
        frozenAt: { type: 'string', format: 'date-time' },
        freezeHash: { type: 'string' },
        entries: { type: 'integer' },
        seats: { type: 'integer', description: 'Seats available to the draw (capacity minus invites and approvals)' },
        heldExcluded: { type: 'integer', description: 'Applications on hold the organizer explicitly left out of the entry list (held applications are not entries)' },
        groups: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              ...groupParameters,
              entries: { type: 'integer' },
              people: { type: 'integer' },
            },
          },
        },
      },
    },
    result: {
      type: ['object', 'null'],
      description: 'After the draw: the revealed secret, the seed, the result hash and counts (null before)',
      properties: {
        drawnAt: { type: 'string', format: 'date-time' },
        resultHash: { type: 'string' },
        secret: { type: 'string' },
        seed: { type: 'string' },
        selected: { type: 'integer', description: 'Parties selected' },
        waitlist: { type: 'integer', description: 'Parties on the waitlist' },
        groups: {
          type: 'array',
          items: { type: 'object', properties: { key: { type: 'string' }, selected: { type: 'integer' }, seatsDrawn: { type: 'integer' }, waitlist: { type: 'integer' } } },
        },
      },
    },
    bundleUrl: { ...nullableString, description: 'The audit bundle (JSON) once the draw ran' },
  },
} as const;

/**
 * preValidation for routes whose body is optional: a POST without a body is validated as {} (Fastify
 * would otherwise check `undefined` against the object schema and refuse it).
 */
export async function emptyBodyIsObject(req: { body: unknown }): Promise<void> {
  req.body ??= {};
}
