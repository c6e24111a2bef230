import type { FastifyInstance } from 'fastify';
import { encodedAsset, findAsset } from '../asset-manifest.ts';
import { chooseEncoding } from '../event-page-cache.ts';

/**
 * Static assets (http/asset-manifest.ts). Fingerprinted names are immutable for a year; plain names (old pages)
 * are cached for an hour. Both carry an ETag (the content hash) and answer 304 to a matching If-None-Match;
 * Brotli or gzip, compressed once per process.
 */
export default async function assetRoutes(app: FastifyInstance) {
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const found = findAsset(req.params.name);
    if (!found) return reply.callNotFound();
    const { asset, immutable } = found;
    const etag = `"${asset.hash}"`;
    reply
      .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
      .header('ETag', etag)
      .header('Vary', 'Accept-Encoding')
      .type(asset.type);
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    if (encoding === 'identity' || asset.body.length < 1024) return reply.send(asset.body);
    return reply.header('Content-Encoding', encoding).send(encodedAsset(asset, encoding));
  });
}
