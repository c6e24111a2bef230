import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { checkAccentColour, parseHexColour } from '../../../domain/colour.ts';
import { contentFor, type Event, eventLanguages, type Localized } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { loadBrand, saveBrand } from '../../../services/brand.ts';
import type { Deps } from '../../../services/deps.ts';
import { boundaryOf, type MultipartBody, MultipartError, parseMultipart } from '../../multipart.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { brandStyles } from '../../views/brand.ts';
import { errorMessage, type FormErrors } from '../../views/form.ts';
import { brandFormValues, brandPageBody } from '../../views/admin/brand.ts';
import { eventHeader } from '../../views/admin/event-tabs.ts';
import { html } from '../../views/html.ts';

/** Two images of at most 8 MiB each, plus the text fields. */
const BODY_LIMIT = 17 * 1024 * 1024;

/**
 * The brand page of an event: accent colour, cover, logo, their alt text per language, the sites that may embed the
 * form. The one multipart form of the application: the body is read whole (bounded by BODY_LIMIT) and split by
 * http/multipart.ts; the parser is registered in this plugin's scope only (ADR 0016).
 */
export default async function brandAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) return done(Object.assign(new Error('multipart boundary missing'), { statusCode: 400 }));
    try {
      const parsed = parseMultipart(body as Buffer, boundary);
      // CSRF protection reads body._csrf: the text fields are the body, the files ride along.
      done(null, Object.assign(Object.create(null), parsed.fields, { __multipart: parsed }));
    } catch (err) {
      done(Object.assign(err instanceof MultipartError ? new Error('bad multipart body') : (err as Error), { statusCode: 400 }));
    }
  });

  async function loadEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  async function page(req: FastifyRequest, reply: FastifyReply, event: Event, o: { values?: Record<string, string>; errors?: FormErrors; status?: number }) {
    const brand = await loadBrand(deps.database.db, event.id);
    const q = req.query as { saved?: string; requested?: string };
    const requested = q.requested ? parseHexColour(q.requested) : null;
    const ctx = pageContext(req, reply);
    const body = brandPageBody({
      t: req.t,
      locale: req.locale,
      csrfToken: ctx.csrfToken ?? '',
      event,
      brand,
      values: o.values ?? brandFormValues(brand, event),
      errors: o.errors ?? new Map(),
      saved: q.saved === '1' && !o.errors,
      accent: requested && !o.errors ? checkAccentColour(requested) : null,
      publicUrl: deps.config.publicUrl,
    });
    return sendPage(reply, ctx, `${req.t('brand.title')} · ${contentFor(event, req.locale).title}`, html`${eventHeader(req.t, req.locale, event, 'brand', req.user!.role)}${body}`, {
      status: o.status,
      wide: true,
      styles: brandStyles(brand),
    });
  }

  app.get<{ Params: { id: string } }>('/admin/events/:id/brand', { preHandler: requireEventPermission('manageEvents') }, async (req, reply) =>
    page(req, reply, await loadEvent(req.params.id), {}),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/brand', { preHandler: [requireEventPermission('manageEvents'), app.csrfProtection] }, async (req, reply) => {
    const event = await loadEvent(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const mp = body.__multipart as MultipartBody | undefined;
    const v: Record<string, string> = {};
    for (const [k, x] of Object.entries(body)) if (typeof x === 'string') v[k] = x;
    const alt = (kind: 'cover' | 'logo'): Localized => {
      const out: Localized = {};
      for (const l of eventLanguages(event)) {
        const text = (v[`alt_${kind}_${l}`] ?? '').trim();
        if (text) out[l] = text;
      }
      return out;
    };
    try {
      const { accent } = await saveBrand(deps, req.user!.id, event.id, {
        accentColour: v.accentColour ?? '',
        cover: mp?.files.cover?.data ?? null,
        logo: mp?.files.logo?.data ?? null,
        removeCover: v.remove_cover === 'yes',
        removeLogo: v.remove_logo === 'yes',
        altText: { cover: alt('cover'), logo: alt('logo') },
        embedOrigins: v.embedOrigins ?? '',
      });
      const requested = accent ? `&requested=${accent.requested.slice(1)}` : '';
      return reply.redirect(`/admin/events/${encodeURIComponent(event.id)}/brand?saved=1${requested}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') {
        const errors: FormErrors = new Map();
        for (const f of err.fields) if (!errors.has(f.field)) errors.set(f.field, errorMessage(req.t, f));
        return page(req, reply, event, { values: v, errors, status: 422 });
      }
      throw err;
    }
  });
}
