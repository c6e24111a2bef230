import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.ts';
import { createUser, startSession, type Role } from '../../src/services/users.ts';
import { addToTeam } from '../../src/services/teams.ts';
import type { Deps } from '../../src/services/deps.ts';
import type { UserRow } from '../../src/db/schema.ts';
import type { TestContext } from './context.ts';
import { Browser, csrfFrom } from './http.ts';

/** A staff member without a password (no scrypt: fast), optionally on some events' teams. */
export async function makeStaff(c: TestContext, role: Role, o: { email?: string; events?: string[] } = {}): Promise<UserRow> {
  const user = await createUser(c.deps, 'test', { email: o.email ?? `${role}-${c.deps.random.bytes(4).toString('hex')}@admit.test`, role });
  for (const id of o.events ?? []) await addToTeam(c.deps, 'test', user.id, id);
  return user;
}

/**
 * A browser signed in as this user (a session started directly, the signed cookie set as the login route sets
 * it) that already holds a CSRF token for its forms: `csrf`.
 */
export async function sessionBrowser(app: FastifyInstance, c: TestContext, user: UserRow, headers: Record<string, string> = {}): Promise<{ browser: Browser; csrf: string }> {
  const browser = new Browser(app, headers);
  const page = await browser.get('/login');
  const csrf = csrfFrom(page.body);
  browser.cookies.set(SESSION_COOKIE, app.signCookie(await startSession(c.deps, user.id)));
  return { browser, csrf };
}

/**
 * Puts a reviewer or door account on the team of every event there is now (tests written before per-event teams
 * sign such staff in for events of their own); owners and admins need no team.
 */
export async function onEveryEventTeam(deps: Deps, email: string): Promise<void> {
  const user = await deps.database.db.selectFrom('users').select(['id', 'role']).where('email', '=', email).executeTakeFirst();
  if (!user || (user.role !== 'reviewer' && user.role !== 'door')) return;
  // Written straight to the table (test setup, no audit entry to disturb tests that read the audit log).
  const events = await deps.database.db.selectFrom('events').select('id').execute();
  await deps.database.db.deleteFrom('event_staff').where('user_id', '=', user.id).execute();
  if (events.length) {
    await deps.database.db.insertInto('event_staff').values(events.map((e) => ({ event_id: e.id, user_id: user.id, added_at: deps.clock.now().toISOString(), added_by: 'test' }))).execute();
  }
}
