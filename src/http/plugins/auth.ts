import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import type { UserRow } from '../../db/schema.ts';
import { can, type Permission, userForSession } from '../../services/users.ts';
import type { Deps } from '../../services/deps.ts';
import { mayActOnEvent } from '../../services/teams.ts';
import { mustEnrolTwoFactor } from '../../services/two-factor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
  }
}

export const SESSION_COOKIE = 'admit_session';

export default fp(async function authPlugin(app: FastifyInstance, opts: { deps: Deps }) {
  app.decorateRequest('user', null);
  // A callback hook: a visitor without a session cookie (everyone in a rush) costs no promise here.
  app.addHook('preHandler', (req, _reply, done) => {
    const raw = req.cookies[SESSION_COOKIE];
    const unsigned = raw ? req.unsignCookie(raw) : null;
    if (!unsigned?.valid || !unsigned.value) return done();
    userForSession(opts.deps, unsigned.value).then(
      (user) => {
        req.user = user;
        done();
      },
      (err: Error) => done(err),
    );
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
    // The owner's policy: owners and admins without a second factor set one up before anything else.
    if (await mustEnrolTwoFactor(req.server.deps, req.user)) return reply.redirect(TWO_FACTOR_SETUP, 303);
  };
}

/** Where staff set up their second factor (reachable while the policy holds everything else back). */
export const TWO_FACTOR_SETUP = '/admin/account/two-factor';

/** Which event a request is about: an event id, or null when there is no such event (the route answers 404 itself). */
export type EventOf = (req: FastifyRequest) => Promise<string | null> | string | null;

/** The default: the `:id` route parameter of /admin/events/:id/… */
const eventIdParam: EventOf = (req) => (req.params as { id?: string }).id ?? null;

/** preHandler: any signed-in staff member (their own account pages), else the login redirect. */
export async function requireSignedIn(req: FastifyRequest, reply: FastifyReply) {
  if (req.user) return;
  if (req.url.startsWith('/api/')) throw new AppError('auth.required');
  return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
}

/** The raw session token of this request (from the signed cookie), if any. */
export function sessionToken(req: FastifyRequest): string | undefined {
  const raw = req.cookies[SESSION_COOKIE];
  const unsigned = raw ? req.unsignCookie(raw) : null;
  return unsigned?.valid ? (unsigned.value ?? undefined) : undefined;
}

/**
 * preHandler for organizer routes that act on ONE event, and the one place per-event teams are enforced:
 * the role needs the permission, and a reviewer or door staff member must be on the event's team
 * (owners and admins act on every event). `eventOf` says which event the request is about (default: the
 * `:id` route parameter, for routes under /admin/events/:id/…); a route about something else (an application,
 * a ticket) resolves its event. A null event passes on: the route itself answers 404, without the team
 * check having told a stranger anything.
 */
export function requireEventPermission(perm: Permission, eventOf: EventOf = eventIdParam) {
  const base = requirePermission(perm);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    await base(req, reply);
    if (reply.sent || !req.user) return reply;
    await assertEventAccess(req.server.deps, req.user, await eventOf(req));
  };
}

/** Team check for a signed-in (or bearer-token) user; shared by pages and the JSON API. */
export async function assertEventAccess(deps: Deps, user: UserRow, eventId: string | null): Promise<void> {
  if (eventId === null) return;
  if (!(await mayActOnEvent(deps, user, eventId))) throw new AppError('auth.forbidden');
}

/** eventOf for routes about one application (/admin/applications/:id/…). */
export const eventOfApplication: EventOf = async (req) => {
  const id = (req.params as { id?: string }).id;
  if (!id) return null;
  const row = await req.server.deps.database.db.selectFrom('applications').select('event_id').where('id', '=', id).executeTakeFirst();
  return row?.event_id ?? null;
};
