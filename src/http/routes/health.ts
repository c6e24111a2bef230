import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/connect.ts';
import type { Deps } from '../../services/deps.ts';

export default async function healthRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness and database check',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } },
          503: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } },
        },
      },
    },
    async (_req, reply) => {
      try {
        await pingDatabase(opts.deps.database.db);
        return { status: 'ok', database: opts.deps.database.dialect };
      } catch {
        return reply.code(503).header('Retry-After', '5').send({ status: 'unavailable', database: opts.deps.database.dialect });
      }
    },
  );
}
