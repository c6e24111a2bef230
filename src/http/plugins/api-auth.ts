import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { userForApiToken } from '../../services/api-tokens.ts';
import type { Deps } from '../../services/deps.ts';
import { can, type Permission } from '../../services/users.ts';
import { assertEventAccess, type EventOf } from './auth.ts';

/** OpenAPI: `security` of a route that takes `Authorization: Bearer <token>` (scheme declared in app.ts). */
export const bearerSecurity = [{ bearerAuth: [] as string[] }];

const BEARER = /^Bearer +([A-Za-z0-9_-]{1,200}) *$/;

/**
 * preHandler for the staff API: the bearer token's user with the permission, else 401 auth.required /
 * 403 auth.forbidden. Bearer only: a session cookie is ignored here (req.user is replaced), so a page
 * in a signed-in browser can never call these routes with the cookie's authority.
 */
export function requireApiPermission(deps: Deps, perm: Permission) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const m = BEARER.exec(req.headers.authorization ?? '');
    req.user = m ? await userForApiToken(deps, m[1]) : null;
    if (!req.user) {
      reply.header('WWW-Authenticate', 'Bearer realm="admit"');
      throw new AppError('auth.required');
    }
    if (!can(req.user.role, perm)) throw new AppError('auth.forbidden');
  };
}

/** The API's requireEventPermission: bearer token, permission, and the event's team (see plugins/auth.ts). */
export function requireApiEventPermission(deps: Deps, perm: Permission, eventOf: EventOf) {
  const base = requireApiPermission(deps, perm);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    await base(req, reply);
    await assertEventAccess(deps, req.user!, await eventOf(req));
  };
}

/** eventOf for /api/v1/admin/events/:slug/… */
export const eventOfSlug: EventOf = async (req) => {
  const slug = (req.params as { slug?: string }).slug;
  if (!slug) return null;
  const row = await req.server.deps.database.db.selectFrom('events').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id ?? null;
};
