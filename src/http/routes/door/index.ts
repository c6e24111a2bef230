import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { textDirection } from '../../../domain/locales.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { authenticateDoorDevice, doorListFor, recordDoorScans, registerDoorDevice, revokeDoorDevice, type DoorDevice } from '../../../services/door.ts';
import { doorListPdf } from '../../../services/door-list-pdf.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { formErrors } from '../../views/form.ts';
import { deviceEnrolPage, deviceRegisterPage, doorAppDocument } from '../../views/door.ts';

const here = dirname(fileURLToPath(import.meta.url));
const asset = (name: string) => readFileSync(join(here, '../../assets', name));

/**
 * The installable door app (issue 15, ADR 0015).
 * - /checkin/:eventId/device: door staff (signed in, on the event's team) register this phone under a name and a door;
 *   the answer hands the device token to /door/app.js once, which keeps it in IndexedDB.
 * - /door/…: the app itself (page, script, service worker, manifest) — no personal data, cached for offline starts.
 * - /api/door/…: the device's JSON API, authenticated by its bearer token only (no cookie, so no CSRF):
 *   list (full or since a cursor), scans (idempotent queue upload), sign-out.
 * - /checkin/:eventId/door-list.pdf: the printable last resort.
 */
export default async function doorRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const eventGuard = requireEventPermission('checkIn', (req) => (req.params as { eventId?: string }).eventId ?? null);

  async function requireEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event || event.status === 'draft') throw new AppError('event.not_found');
    return event;
  }

  app.get<{ Params: { eventId: string } }>('/checkin/:eventId/device', { preHandler: eventGuard }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, req.t('door.register_title'), deviceRegisterPage(ctx, { eventId: event.id, eventTitle: contentFor(event, req.locale).title, values: {}, errors: new Map() }));
  });

  app.post<{ Params: { eventId: string } }>('/checkin/:eventId/device', { preHandler: [eventGuard, app.csrfProtection] }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    const v = formValues(req.body);
    const ctx = pageContext(req, reply);
    const title = contentFor(event, req.locale).title;
    try {
      const { device, token } = await registerDoorDevice(deps, req.user!, event.id, { name: v.name ?? '', door: v.door ?? '' });
      return sendPage(reply, ctx, req.t('door.registered_title'), deviceEnrolPage(ctx, { token, eventTitle: title, deviceName: device.name }), { scripts: ['/door/app.js'] });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'validation.failed') throw e;
      return sendPage(reply, ctx, req.t('door.register_title'), deviceRegisterPage(ctx, { eventId: event.id, eventTitle: title, values: v, errors: formErrors(req.t, e.fields) }), { status: 422 });
    }
  });

  app.get<{ Params: { eventId: string } }>('/checkin/:eventId/door-list.pdf', { preHandler: eventGuard }, async (req, reply) => {
    const event = await requireEvent(req.params.eventId);
    const pdf = await doorListPdf(deps, event, req.locale, req.t);
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="door-list-${event.slug}.pdf"`)
      .type('application/pdf')
      .send(pdf);
  });

  // ---- the app: one page, its script, the service worker, the manifest ----
  const appJs = asset('door-app.js');
  const codeJs = asset('door-code.js');
  // The worker's cache is named after what it caches: a new app.js (or page) replaces the old cache at once.
  const version = createHash('sha256').update(appJs).update(codeJs).update(asset('app.css')).update(asset('door-sw.js')).digest('hex').slice(0, 12);
  const swJs = Buffer.from(asset('door-sw.js').toString('utf8').replace('__VERSION__', version));

  app.get('/door/', async (req, reply) =>
    reply
      .header('Cache-Control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(doorAppDocument({ locale: req.locale, t: req.t, dir: textDirection(req.locale) })),
  );
  app.get('/door', async (_req, reply) => reply.redirect('/door/', 301));
  app.get('/door/app.js', async (_req, reply) => reply.header('Cache-Control', 'no-cache').type('text/javascript; charset=utf-8').send(appJs));
  app.get('/door/door-code.js', async (_req, reply) => reply.header('Cache-Control', 'no-cache').type('text/javascript; charset=utf-8').send(codeJs));
  app.get('/door/sw.js', async (_req, reply) => reply.header('Cache-Control', 'no-cache').type('text/javascript; charset=utf-8').send(swJs));
  app.get('/door/manifest.webmanifest', async (req, reply) =>
    reply
      .header('Cache-Control', 'no-cache')
      .type('application/manifest+json')
      .send({
        name: req.t('door.app_title'),
        short_name: req.t('door.app_short'),
        lang: req.locale,
        start_url: '/door/',
        scope: '/door/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#3b2dbf',
        icons: [{ src: '/assets/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      }),
  );

  // ---- the device API (bearer token) ----
  async function device(req: FastifyRequest): Promise<DoorDevice> {
    const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '');
    if (!m) throw new AppError('auth.required');
    return authenticateDoorDevice(deps, m[1]);
  }

  app.get<{ Querystring: { since?: string } }>('/api/door/list', async (req, reply) => {
    const d = await device(req);
    const event = await findEventById(deps.database.db, d.eventId);
    const list = await doorListFor(deps, d, typeof req.query.since === 'string' && req.query.since ? req.query.since : null);
    return reply.header('Cache-Control', 'no-store').send({ ...list, eventTitle: event ? contentFor(event, req.locale).title : '' });
  });

  app.post<{ Body: { scans: { scan: string; code?: string; ticket?: string; at: string; offline?: boolean }[] } }>(
    '/api/door/scans',
    {
      schema: {
        body: {
          type: 'object',
          required: ['scans'],
          properties: {
            scans: {
              type: 'array',
              maxItems: 500,
              items: {
                type: 'object',
                required: ['scan', 'at'],
                properties: {
                  scan: { type: 'string', maxLength: 64 },
                  code: { type: 'string', maxLength: 500 },
                  ticket: { type: 'string', maxLength: 40 },
                  at: { type: 'string', maxLength: 40 },
                  offline: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const d = await device(req);
      const results = await recordDoorScans(deps, d, req.body.scans.map((s) => ({ ...s, offline: s.offline === true })));
      return reply.header('Cache-Control', 'no-store').send({ results });
    },
  );

  app.post('/api/door/sign-out', async (req, reply) => {
    const d = await device(req);
    await revokeDoorDevice(deps, d.registeredBy, d.eventId, d.id, 'signed_out');
    return reply.header('Cache-Control', 'no-store').send({ signedOut: true });
  });
}
