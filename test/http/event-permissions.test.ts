import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createApiToken } from '../../src/services/api-tokens.ts';
import { can, type Permission, type Role } from '../../src/services/users.ts';
import type { Event } from '../../src/domain/event.ts';
import { forEachDialect, testConfig } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import type { Browser } from '../helpers/http.ts';

/**
 * The per-event permission matrix (issue 10): EVERY organizer, check-in and organizer-API route, enumerated from
 * the Fastify instance as it is built, × every role × the staff member's own event / another event.
 * A route added later is covered automatically: it must either act on one event (and then pass this matrix:
 * reviewers and door staff only on their teams' events) or be listed in NOT_EVENT_SCOPED with a reason.
 */
const SCOPES = [/^\/admin(\/|$)/, /^\/checkin(\/|$)/, /^\/api\/v1\/admin\//, /^\/api\/v1\/checkin\//];

/** Routes that do not act on one event, and why they are safe without the team check. */
const NOT_EVENT_SCOPED: Record<string, string> = {
  'GET /admin': 'event list: filtered by listEventsFor (tested below)',
  'GET /admin/events/new': 'creates a new event: manageEvents (owner, admin) act on every event anyway',
  'POST /admin/events/new': 'creates a new event: manageEvents (owner, admin)',
  'GET /admin/users': 'staff accounts: manageUsers (owner only)',
  'POST /admin/users': 'invites staff: manageUsers (owner only)',
  'POST /admin/users/:id/disable': 'staff accounts: manageUsers (owner only)',
  'POST /admin/users/:id/enable': 'staff accounts: manageUsers (owner only)',
  'POST /admin/users/:id/events': 'sets a staff member\'s teams: manageUsers (owner only)',
  'GET /admin/mail': 'the mail viewer: readMail (owner, admin), who act on every event',
  'GET /admin/mail/:id': 'the mail viewer: readMail (owner, admin), who act on every event',
  'GET /checkin': 'event list of the door: filtered by listEventsFor (tested below)',
  'GET /admin/account': 'one\'s own sessions (any signed-in staff member)',
  'POST /admin/account/sessions/end-others': 'one\'s own sessions',
  'POST /admin/account/sessions/end-all': 'one\'s own sessions',
  'GET /admin/account/two-factor': 'one\'s own second factor',
  'POST /admin/account/two-factor': 'one\'s own second factor',
  'GET /admin/account/passkeys': 'one\'s own passkeys',
  'POST /admin/account/passkeys/options': 'one\'s own passkeys',
  'POST /admin/account/passkeys': 'one\'s own passkeys',
  'POST /admin/account/passkeys/:id/delete': 'one\'s own passkeys (:id is a passkey, removed only from the signed-in user\'s own)',
  'POST /admin/users/:id/reset-two-factor': 'staff accounts: manageUsers (owner only)',
  'POST /admin/users/two-factor-policy': 'the owner\'s sign-in policy: manageUsers (owner only)',
};

/** Which permission an event-scoped route needs (default manageEvents): the documented "who may do what". */
function permissionOf(route: string): Permission {
  if (/^(GET|POST) \/(checkin|api\/v1\/checkin)\//.test(route)) return 'checkIn';
  if (/\/applications(\.csv|\/bulk)?$|\/applications\/:id(\/review|\/score)?$/.test(route)) return 'reviewApplications';
  if (route === 'GET /admin/events/:id') return 'reviewApplications'; // the event home: each tab says who may open it
  if (/\/events\/:id\/(guests(\.csv)?|preview)$/.test(route)) return 'reviewApplications'; // outcome lists, the draft's public page
  return 'manageEvents';
}

/** JSON bodies that pass a route's schema (validation runs before the permission check). */
const JSON_BODIES: Record<string, (e: Event) => object> = {
  'POST /checkin/:eventId/scan': () => ({ code: 'no-such-ticket-code-0123456789' }),
  'POST /api/v1/admin/events/:slug/draw/commit': () => ({}),
  'POST /api/v1/admin/events/:slug/draw/freeze': () => ({}),
  'POST /api/v1/admin/events/:slug/draw/run': () => ({}),
  'POST /api/v1/admin/events/:slug/invites': () => ({ name: 'Ada Guest', email: 'ada.guest@example.com', partySize: 1, category: 'press' }),
  'POST /api/v1/admin/applications/:id/review': () => ({ action: 'hold' }),
  'POST /api/v1/admin/events/:slug/reveal': () => ({ startsAt: '2026-12-24T18:00:00+01:00', venueName: 'Hall', at: '2026-12-20T18:00:00+01:00' }),
  'POST /api/v1/checkin/scan': (e) => ({ code: 'no-such-ticket-code-0123456789', event: e.slug }),
};

interface Target {
  event: Event;
  applicationId: string;
}

/** The URL of a route for one event: each path parameter is what the route's family means by it. */
function urlFor(method: string, url: string, t: Target): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (name === 'slug') return t.event.slug;
    if (name === 'eventId') return t.event.id;
    if (name === 'id' && /^\/(api\/v1\/)?admin\/events\/:id/.test(url)) return t.event.id;
    if (name === 'id' && /^\/(api\/v1\/)?admin\/applications\/:id/.test(url)) return t.applicationId;
    if (name === 'appId') return t.applicationId;
    if (name === 'messageId') return 'no-such-message'; // a message of the event: the permission check comes first
    // The mail texts of an event (ADR 0014): one built-in mail in one language.
    if (name === 'template' && url.includes('/mail-texts/')) return 'application.verify';
    if (name === 'locale' && url.includes('/mail-texts/')) return 'en';
    if (name === 'deviceId') return 'no-such-device'; // revoking an unknown device changes nothing (the team check comes first)
    throw new Error(`${method} ${url}: the permission matrix does not know what :${name} means — teach urlFor, or list the route in NOT_EVENT_SCOPED with a reason`);
  });
}

const ROLES: Role[] = ['owner', 'admin', 'reviewer', 'door'];

forEachDialect('per-event teams: every organizer route × role × own/other event', (ctx) => {
  test('reviewers and door staff act only on their teams\' events; owners and admins on all; strangers are sent to sign in', async () => {
    const c = ctx();
    const routes: { method: string; url: string }[] = [];
    const app: FastifyInstance = await buildApp({
      config: testConfig(c.db.dataDir),
      database: c.db,
      clock: c.clock,
      random: c.deps.random,
      onRoute: (r: RouteOptions) => {
        for (const method of [r.method].flat()) if (method !== 'HEAD' && SCOPES.some((s) => s.test(r.url))) routes.push({ method, url: r.url });
      },
    });
    const own = await c.makeEvent({ slug: 'own-event' });
    const other = await c.makeEvent({ slug: 'other-event' });
    const targets: Record<'own' | 'other', Target> = {
      own: { event: own, applicationId: (await insertParty(c, own, { status: 'submitted' })).id },
      other: { event: other, applicationId: (await insertParty(c, other, { status: 'submitted' })).id },
    };
    const sessions = new Map<Role, { browser: Browser; csrf: string; token: string }>();
    for (const role of ROLES) {
      const user = await makeStaff(c, role, { events: role === 'reviewer' || role === 'door' ? [own.id] : [] });
      const { browser, csrf } = await sessionBrowser(app, c, user);
      const { token } = await createApiToken(c.deps, 'test', { email: user.email });
      sessions.set(role, { browser, csrf, token });
    }

    const eventRoutes = routes.filter((r) => !NOT_EVENT_SCOPED[`${r.method} ${r.url}`]);
    assert.ok(eventRoutes.length >= 20, `found ${eventRoutes.length} event-scoped routes`);
    for (const key of Object.keys(NOT_EVENT_SCOPED)) assert.ok(routes.some((r) => `${r.method} ${r.url}` === key), `allowlisted route ${key} exists`);

    async function call(role: Role | null, method: string, url: string, target: Target): Promise<LightMyRequestResponse> {
      const key = `${method} ${url}`;
      const path = urlFor(method, url, target);
      const s = role ? sessions.get(role)! : null;
      const api = url.startsWith('/api/');
      const headers: Record<string, string> = {};
      if (api && s) headers.authorization = `Bearer ${s.token}`;
      if (!api && s) headers.cookie = [...s.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (method === 'GET') return app.inject({ method: 'GET', url: path, headers });
      const json = JSON_BODIES[key];
      if (json) return app.inject({ method: method as 'POST', url: path, headers: { ...headers, ...(s ? { 'x-csrf-token': s.csrf } : {}) }, payload: json(target.event) });
      return app.inject({
        method: method as 'POST',
        url: path,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(s ? { _csrf: s.csrf } : {}).toString(),
      });
    }

    const problems: string[] = [];
    for (const { method, url } of eventRoutes) {
      const key = `${method} ${url}`;
      const perm = permissionOf(key);
      for (const [which, target] of Object.entries(targets)) {
        const anon = await call(null, method, url, target);
        const signInAsked = url.startsWith('/api/') ? anon.statusCode === 401 : anon.statusCode === 303 && String(anon.headers.location).startsWith('/login');
        if (!signInAsked) problems.push(`${key} [${which}] without sign-in: ${anon.statusCode}`);
        for (const role of ROLES) {
          const res = await call(role, method, url, target);
          const denied = res.statusCode === 403;
          const everyEvent = role === 'owner' || role === 'admin';
          const shouldDeny = !can(role, perm) || (!everyEvent && which === 'other');
          if (denied !== shouldDeny || res.statusCode === 401) {
            problems.push(`${key} as ${role} on ${which} event: ${res.statusCode}, expected ${shouldDeny ? '403' : 'not 401/403'} (${res.body.slice(0, 120).replace(/\s+/g, ' ')})`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    await app.close();
  });

  test('event lists show a reviewer or door person only their teams\' events; owners and admins see all', async () => {
    const c = ctx();
    const app = await buildApp({ config: testConfig(c.db.dataDir), database: c.db, clock: c.clock, random: c.deps.random });
    const mine = await c.makeEvent({ slug: 'list-mine' });
    const theirs = await c.makeEvent({ slug: 'list-theirs' });
    const reviewer = await makeStaff(c, 'reviewer', { events: [mine.id] });
    const door = await makeStaff(c, 'door', { events: [mine.id] });
    const admin = await makeStaff(c, 'admin');
    const seen = async (u: typeof reviewer, url: string) => (await (await sessionBrowser(app, c, u)).browser.get(url)).body;

    const reviewerList = await seen(reviewer, '/admin');
    assert.ok(reviewerList.includes('/e/list-mine'));
    assert.ok(!reviewerList.includes('/e/list-theirs'), 'another event stays hidden');
    const adminList = await seen(admin, '/admin');
    assert.ok(adminList.includes('/e/list-mine') && adminList.includes('/e/list-theirs'));

    // The door's list: with one event of their own it opens that event's door at once.
    const doorHome = await (await sessionBrowser(app, c, door)).browser.get('/checkin');
    const doorBody = doorHome.statusCode === 303 ? String(doorHome.headers.location) : doorHome.body;
    assert.ok(doorBody.includes(mine.id));
    assert.ok(!doorBody.includes(theirs.id));
    await app.close();
  });
});
