import { loadBrand } from '../../../services/brand.ts';
import { brandStyles } from '../../views/brand.ts';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { findBundleJson } from '../../../db/repositories/draws.ts';
import { requireEvent } from '../../../services/applications.ts';
import type { Deps } from '../../../services/deps.ts';
import { publicDrawState, publishedEntryList } from '../../../services/draw.ts';
import { pageContext, sendPage } from '../../page.ts';
import { drawPage } from '../../views/public/draw-page.ts';

/** The public record of an event's draw, and the audit bundle anyone can re-run. */
export default async function publicDrawRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get<{ Params: { slug: string } }>('/e/:slug/draw', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    const state = await publicDrawState(deps, event.id);
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, req.t('draw.title'), drawPage(ctx, event, state), { wide: true, styles: brandStyles(await loadBrand(opts.deps.database.db, event.id)) });
  });

  /** The entry list as frozen: exactly the bytes whose SHA-256 is the published freeze hash (pseudonymous). */
  app.get<{ Params: { slug: string } }>('/e/:slug/draw/entries.json', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    const list = await publishedEntryList(deps.database.db, event.id);
    if (!list) throw new AppError('not_found');
    return reply
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${event.slug}-draw-entries.json"`)
      .header('Cache-Control', 'public, max-age=300')
      .send(list);
  });

  app.get<{ Params: { slug: string } }>('/e/:slug/draw/bundle.json', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    const bundle = await findBundleJson(deps.database.db, event.id);
    if (!bundle) throw new AppError('not_found');
    return reply
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${event.slug}-draw-bundle.json"`)
      // Immutable once written; pseudonymous by design.
      .header('Cache-Control', 'public, max-age=300')
      .send(bundle);
  });
}
