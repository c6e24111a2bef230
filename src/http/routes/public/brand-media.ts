import type { FastifyInstance } from 'fastify';
import { parseHexColour } from '../../../domain/colour.ts';
import { findBrandImage } from '../../../services/brand.ts';
import type { Deps } from '../../../services/deps.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Brand images and accent stylesheets. Both are named by what they contain (the SHA-256 of the bytes; the colour),
 * so they never change under their URL: any instance serves them from the database, browsers keep them a year.
 */
export default async function brandMediaRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get<{ Params: { hash: string } }>('/media/:hash', async (req, reply) => {
    if (!/^[0-9a-f]{64}$/.test(req.params.hash)) return reply.code(404).send();
    if (req.headers['if-none-match'] === `"${req.params.hash}"`) return reply.code(304).header('Cache-Control', IMMUTABLE).send();
    const img = await findBrandImage(opts.deps.database.db, req.params.hash);
    if (!img) return reply.code(404).send();
    return reply
      .header('Cache-Control', IMMUTABLE)
      .header('ETag', `"${req.params.hash}"`)
      // Link previews (Open Graph) and the embedding site's page load the cover from other origins.
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type(img.content_type)
      .send(Buffer.from(img.data));
  });

  app.get<{ Params: { file: string } }>('/brand/accent/:file', async (req, reply) => {
    const m = /^([0-9a-f]{6})\.css$/.exec(req.params.file);
    const hex = m ? parseHexColour(m[1]) : null;
    if (!hex) return reply.code(404).send();
    // Focus ring and links follow the accent; button text stays white (the colour was checked against it).
    return reply.header('Cache-Control', IMMUTABLE).type('text/css; charset=utf-8').send(`:root{--brand:${hex};}\n`);
  });
}
