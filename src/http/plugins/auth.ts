import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import type { UserRow } from '../../db/schema.ts';
import { can, type Permission, userForSession } from '../../services/users.ts';
import type { Deps } from '../../services/deps.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
  }
}

export const SESSION_COOKIE = 'admit_session';

export default fp(async function authPlugin(app: FastifyInstance, opts: { deps: Deps }) {
  app.decorateRequest('user', null);
  app.addHook('preHandler', async (req) => {
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return;
    const unsigned = req.unsignCookie(raw);
    if (unsigned.valid && unsigned.value) req.user = await userForSession(opts.deps, unsigned.value);
  });
});

/** preHandler: signed-in user with the permission, else login redirect (pages) or 401/403. */
export function requirePermission(perm: Permission) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.user) {
      if (req.url.startsWith('/api/')) throw new AppError('auth.required');
      return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
    }
    if (!can(req.user.role, perm)) throw new AppError('auth.forbidden');
  };
}

/**
 * preHandler for organizer routes that act on ONE event. `eventOf` says which event the request is about
 * (default: the `:id` route parameter, for routes under /admin/events/:id/…). Today a role's permission holds on
 * every event; per-event teams (reviewer/door limited to their events) narrow it here, in one place.
 */
export function requireEventPermission(perm: Permission, eventOf?: (req: FastifyRequest) => Promise<string | null> | string | null) {
  const base = requirePermission(perm);
  void eventOf;
  return base;
}
