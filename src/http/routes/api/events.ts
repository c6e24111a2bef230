import type { FastifyInstance } from 'fastify';
import { contentFor } from '../../../domain/event.ts';
import { intakeState, QUESTION_TYPES } from '../../../domain/event.ts';
import { LOCALES } from '../../../domain/locales.ts';
import { assertAcceptingApplications, findEarlierAnswer, type Idempotency, requireEvent, submitApplication } from '../../../services/applications.ts';
import type { Deps } from '../../../services/deps.ts';
import type { Captcha } from '../../captcha.ts';
import { AppError } from '../../../errors.ts';
import { applyLimits } from '../../../intake/http-limits.ts';
import { isValidIdempotencyKey } from '../../../intake/idempotency.ts';
import { errorBody } from './schemas.ts';

/** The one error shape of the API (src/http/plugins/errors.ts writes it). */
const errorSchema = errorBody;

const localizedText = { type: 'object', additionalProperties: { type: 'string' } } as const;

const eventSchema = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    title: { type: 'string', description: 'In the request language (?lang= or Accept-Language)' },
    description: { type: 'string' },
    consent: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
    intake: { type: 'string', enum: ['open', 'not_open', 'closed'], description: 'Whether applications are accepted right now' },
    timezone: { type: 'string' },
    startsAt: { type: ['string', 'null'], description: 'Always null until the organizer reveals time and venue to confirmed guests' },
    venue: { type: ['string', 'null'], description: 'Always null until revealed to confirmed guests' },
    applicationsOpenAt: { type: ['string', 'null'], format: 'date-time' },
    applicationsCloseAt: { type: ['string', 'null'], format: 'date-time' },
    maxPartySize: { type: 'integer', description: 'Applicant plus guests' },
    maxGuests: { type: 'integer' },
    preferredCountries: { type: 'array', items: { type: 'string' } },
    othersMayApply: { type: 'boolean' },
    locales: { type: 'array', items: { type: 'string' } },
    questions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          type: { type: 'string', enum: [...QUESTION_TYPES] },
          required: { type: 'boolean' },
          label: { type: 'string' },
          options: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' } } } },
        },
      },
    },
  },
} as const;

export const applicationBodySchema = {
  type: 'object',
  required: ['name', 'email', 'country', 'consent'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    email: { type: 'string', maxLength: 254 },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2 country of residence', maxLength: 2 },
    locale: { type: 'string', enum: [...LOCALES], description: 'Language for mails; default en' },
    guests: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['name', 'relation'],
        properties: { name: { type: 'string', maxLength: 200 }, relation: { type: 'string', enum: ['friend', 'family', 'partner', 'colleague', 'other'] } },
      },
    },
    answers: { type: 'object', additionalProperties: { type: ['string', 'boolean'], maxLength: 4000 }, description: 'Question id → answer (yes/no questions: "yes" or "no", or JSON true / false; single choice: option id; multiple choice: option ids, comma-separated; number: decimal with a dot; date: YYYY-MM-DD)' },
    consent: { type: 'boolean', description: 'Must be true' },
    altcha: { type: 'string', description: 'ALTCHA proof-of-work payload (base64); required unless the server runs with ADMIT_CAPTCHA=off' },
  },
} as const;

export default async function apiEventRoutes(app: FastifyInstance, opts: { deps: Deps; captcha: Captcha | null }) {
  const { deps, captcha } = opts;
  const limits = applyLimits(app, deps.config.rateLimits);

  app.get<{ Params: { slug: string } }>(
    '/api/v1/events/:slug',
    {
      schema: {
        tags: ['public'],
        summary: 'A published event (time and venue stay null until revealed)',
        params: { type: 'object', properties: { slug: { type: 'string' } }, required: ['slug'] },
        querystring: { type: 'object', properties: { lang: { type: 'string', enum: [...LOCALES] } } },
        response: { 200: eventSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const e = await requireEvent(deps.database.db, req.params.slug);
      const c = contentFor(e, req.locale);
      return {
        slug: e.slug,
        title: c.title,
        description: c.description,
        consent: c.consent,
        status: e.status,
        intake: intakeState(e, deps.clock.now()),
        timezone: e.timezone,
        startsAt: null,
        venue: null,
        applicationsOpenAt: e.applicationsOpenAt,
        applicationsCloseAt: e.applicationsCloseAt,
        maxPartySize: e.maxPartySize,
        maxGuests: e.maxPartySize - 1,
        preferredCountries: e.preferredCountries,
        othersMayApply: e.othersMayApply,
        locales: Object.keys(e.content),
        questions: e.questions.map((q) => ({
          id: q.id,
          type: q.type,
          required: q.required,
          label: q.label[req.locale] ?? q.label[e.defaultLocale] ?? '',
          ...(q.options ? { options: q.options.map((o) => ({ id: o.id, label: o.label[req.locale] ?? o.label[e.defaultLocale] ?? '' })) } : {}),
        })),
      };
    },
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/api/v1/events/:slug/applications',
    {
      onRequest: limits.byIp,
      preHandler: limits.byEmail,
      schema: {
        tags: ['public'],
        summary: 'Apply to an event',
        description:
          'Accepted applications get 202 and a verification mail. An address that already applied gets the very same answer ' +
          '(no email enumeration); the mail then links to the existing application. The id identifies this submission. ' +
          '202 is sent only after the application is durably committed. With an Idempotency-Key header, repeating the ' +
          'request (same key, same body) returns the first answer and never creates a second application (keys are kept 24 h). ' +
          'When the server is saturated it answers 503 with Retry-After instead of queueing without bound.',
        params: { type: 'object', properties: { slug: { type: 'string' } }, required: ['slug'] },
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', maxLength: 255, description: 'Optional; 1–255 printable ASCII characters, e.g. a UUID' } },
        },
        body: applicationBodySchema,
        response: {
          202: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string', enum: ['pending_verification'] } } },
          400: { ...errorSchema, description: 'request.malformed: the body is not valid JSON' },
          404: errorSchema,
          409: { ...errorSchema, description: 'event.not_open: applications have not opened yet' },
          410: { ...errorSchema, description: 'event.closed: applications are closed' },
          422: { ...errorSchema, description: 'validation.failed (with fields), captcha.failed, or idempotency.mismatch (key reused with another body)' },
          413: { ...errorSchema, description: 'request.too_large: the body is over the limit (256 KiB)' },
          429: { ...errorSchema, description: 'rate.limited: too many applications from this address or network; see Retry-After' },
          503: { ...errorSchema, description: 'service.unavailable: saturated or database unavailable; nothing was stored; see Retry-After' },
        },
      },
    },
    async (req, reply) => {
      assertAcceptingApplications(deps);
      const body = req.body;
      const { slug } = req.params;
      const input: Record<string, unknown> = { ...body, locale: body.locale ?? req.locale };
      let idempotency: Idempotency | undefined;
      const key = req.headers['idempotency-key'];
      if (key !== undefined) {
        if (!isValidIdempotencyKey(key)) throw new AppError('validation.failed', { fields: [{ field: 'Idempotency-Key', code: 'invalid' }] });
        // The captcha payload is single-use and differs between attempts: it is not part of "the same body".
        const { altcha: _altcha, ...rest } = input;
        idempotency = { channel: 'api', key, body: rest, onMismatch: 'error', checked: true };
        const earlier = await findEarlierAnswer(deps, slug, idempotency);
        if (earlier) return reply.code(202).header('Idempotent-Replayed', 'true').send(earlier);
      }
      if (captcha && !(await captcha.verify(typeof body.altcha === 'string' ? body.altcha : undefined))) {
        const earlier = idempotency && (await findEarlierAnswer(deps, slug, idempotency, true));
        if (earlier) return reply.code(202).header('Idempotent-Replayed', 'true').send(earlier);
        // Order matters: a closed event says so before the captcha is checked.
        await requireEvent(deps.database.db, slug);
        throw new AppError('captcha.failed', { fields: [{ field: 'altcha', code: 'captcha_failed' }] });
      }
      const result = await submitApplication(deps, slug, input, idempotency ? { idempotency } : {});
      return reply.code(202).send(result);
    },
  );

  if (captcha) {
    app.get('/api/v1/captcha/challenge', { schema: { tags: ['public'], summary: 'ALTCHA proof-of-work challenge for the application form' } }, async (_req, reply) => {
      reply.header('Cache-Control', 'no-store');
      return captcha.challenge();
    });
  }
}
