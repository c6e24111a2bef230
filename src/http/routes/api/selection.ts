import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../services/deps.ts';
import apiAdminRoutes from './admin.ts';
import apiApplicationRoutes from './applications.ts';
import apiCheckinRoutes from './checkin.ts';
import apiDrawRoutes from './draw.ts';

/**
 * The JSON API of the selection (issue 4): the public draw record, the applicant's actions behind the
 * status-link token, the organizer's draw/invite/review/reveal with a bearer token, and the door's scan.
 */
export default async function apiSelectionRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  await app.register(apiDrawRoutes, opts);
  await app.register(apiApplicationRoutes, opts);
  await app.register(apiAdminRoutes, opts);
  await app.register(apiCheckinRoutes, opts);
}
