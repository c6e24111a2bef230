import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { verifyBundle } from '../../src/domain/draw/index.ts';
import { createApiToken, revokeApiToken } from '../../src/services/api-tokens.ts';
import { changeEventStatus } from '../../src/services/events.ts';
import { createUser, type Role } from '../../src/services/users.ts';
import { onEveryEventTeam } from '../helpers/staff.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { tokenFromMail } from '../services/draw-fixtures.ts';

/** A staff member and a fresh API token of theirs. */
async function staffToken(c: TestContext, role: Role): Promise<{ token: string; id: string }> {
  const email = `${role}-api-${c.dialect}@admit.test`;
  if (!(await c.db.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())) await createUser(c.deps, 'test', { email, role });
  await onEveryEventTeam(c.deps, email);
  const { token, id } = await createApiToken(c.deps, 'test', { email, name: `${role} script` });
  return { token, id };
}

/** JSON requests through app.inject. */
function client(app: FastifyInstance, token?: string) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  return {
    get: (url: string) => app.inject({ method: 'GET', url, headers }),
    post: (url: string, body?: object) => app.inject({ method: 'POST', url, headers, ...(body ? { payload: body } : {}) }),
  };
}

forEachDialect('api: tokens', (ctx) => {
  test('bearer only: missing, invalid, revoked → 401; a door token may scan but not draw → 403; last use is recorded', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent();
    const url = `/api/v1/admin/events/${event.slug}/draw/commit`;

    const missing = await client(app).post(url, {});
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().error.code, 'auth.required');
    assert.equal(typeof missing.json().error.message, 'string');
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    assert.equal((await client(app, 'admit_not-a-real-token-at-all').post(url, {})).statusCode, 401);

    const owner = await staffToken(c, 'owner');
    assert.match(owner.token, /^admit_[A-Za-z0-9_-]{27}$/, '160 bits, base64url');
    const stored = await c.db.db.selectFrom('api_tokens').selectAll().where('id', '=', owner.id).executeTakeFirstOrThrow();
    assert.notEqual(stored.token_hash, owner.token, 'stored hashed');
    assert.equal(stored.last_used_at, null);
    await revokeApiToken(c.deps, 'test', owner.id);
    const revoked = await client(app, owner.token).post(url, {});
    assert.equal(revoked.statusCode, 401);
    assert.equal(revoked.json().error.code, 'auth.required');

    const door = await staffToken(c, 'door');
    const forbidden = await client(app, door.token).post(url, {});
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().error.code, 'auth.forbidden');
    const scan = await client(app, door.token).post('/api/v1/checkin/scan', { code: 'no-such-ticket-code-0123456789' });
    assert.equal(scan.statusCode, 404, 'the door may scan');
    assert.equal(scan.json().error.code, 'ticket.not_found');
    const used = await c.db.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', door.id).executeTakeFirstOrThrow();
    assert.equal(used.last_used_at, c.clock.now().toISOString());
    await app.close();
  });

  test('the OpenAPI document lists the selection API with schemas, tags and bearer security on staff routes', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: 'An API token from `admit token create`' });
    const staff = [
      ['post', '/api/v1/admin/events/{slug}/draw/commit'],
      ['post', '/api/v1/admin/events/{slug}/draw/freeze'],
      ['post', '/api/v1/admin/events/{slug}/draw/run'],
      ['post', '/api/v1/admin/events/{slug}/invites'],
      ['post', '/api/v1/admin/applications/{id}/review'],
      ['get', '/api/v1/admin/events/{slug}/applications'],
      ['post', '/api/v1/admin/events/{slug}/reveal'],
      ['post', '/api/v1/checkin/scan'],
    ];
    const open = [
      ['get', '/api/v1/events/{slug}/draw'],
      ['get', '/api/v1/events/{slug}/draw/bundle'],
      ['get', '/api/v1/applications/{token}'],
      ['post', '/api/v1/applications/{token}/confirm'],
      ['post', '/api/v1/applications/{token}/decline'],
      ['post', '/api/v1/applications/{token}/withdraw'],
      ['get', '/api/v1/applications/{token}/tickets'],
    ];
    for (const [method, path] of [...staff, ...open]) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} documented`);
      assert.ok(op.tags?.length && op.summary, `${path} has tags and a summary`);
      assert.ok(op.responses['200'] || op.responses['201'], `${path} documents its answer`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${path} documents errors`);
      assert.equal(!!op.security, staff.some(([m, p]) => m === method && p === path), `${path} security`);
    }
    assert.deepEqual(doc.paths['/api/v1/admin/events/{slug}/draw/run'].post.security, [{ bearerAuth: [] }]);
    assert.ok(doc.paths['/api/v1/admin/events/{slug}/draw/freeze'].post.requestBody.content['application/json'].schema.properties.groups);
    await app.close();
  });
});

forEachDialect('api: selection end to end', (ctx) => {
  test('apply → verify → close → commit → freeze → draw → verify bundle → confirm one guest fewer → reveal → tickets → check-in once', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    // 1 seat for the invite + 6 for the draw: three of the four parties of two in the draw get a place.
    const event = await c.makeEvent({ capacity: 7, slug: `api-flow-${c.dialect}` });
    const organizer = client(app, (await staffToken(c, 'admin')).token);
    const reviewer = client(app, (await staffToken(c, 'reviewer')).token);
    const door = client(app, (await staffToken(c, 'door')).token);
    const anyone = client(app);
    const admin = `/api/v1/admin/events/${event.slug}`;

    // Applications through the public API; each address verified by its mailed link.
    const emails = ['ada', 'bob', 'cy', 'di', 'ed'].map((n) => `${n}-${c.dialect}@example.com`);
    const tokens = new Map<string, string>();
    for (const [i, email] of emails.entries()) {
      const res = await anyone.post(`/api/v1/events/${event.slug}/applications`, {
        name: `Applicant ${i}`,
        email,
        country: i % 2 ? 'DE' : 'US',
        consent: true,
        answers: { why: 'launches' },
        guests: [{ name: `Guest of ${i}`, relation: 'friend' }],
      });
      assert.equal(res.statusCode, 202, res.body);
      const token = await tokenFromMail(c, email);
      const page = new Browser(app);
      const confirmPage = await page.get(`/a/${token}`);
      assert.equal(confirmPage.statusCode, 200);
      assert.equal((await page.post(`/a/${token}/verify`, { _csrf: csrfFrom(confirmPage.body) })).statusCode, 303);
      tokens.set(email, token);
    }
    const first = (await anyone.get(`/api/v1/applications/${tokens.get(emails[0])}`)).json();
    assert.equal(first.status, 'submitted');
    assert.equal(first.verified, true);
    assert.deepEqual(first.party, { size: 2, applicant: 'Applicant 0', guests: [{ index: 0, name: 'Guest of 0', relation: 'friend' }] });
    assert.equal((await anyone.get('/api/v1/applications/unknown-token-0123456789abc')).json().error.code, 'application.not_found');

    // Organizer: an invite, the list (keyset pages), a review decision.
    const invite = await organizer.post(`${admin}/invites`, { name: 'Press Person', email: `press-${c.dialect}@example.com`, partySize: 1, category: 'press' });
    assert.equal(invite.statusCode, 201, invite.body);
    assert.deepEqual([invite.json().created, invite.json().offered], [true, true]);
    const badInvite = await organizer.post(`${admin}/invites`, { name: 'X', email: 'not-an-email', partySize: 1, category: 'press' });
    assert.equal(badInvite.statusCode, 422);
    assert.deepEqual(badInvite.json().error.fields.map((f: { field: string }) => f.field), ['email']);

    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page = await reviewer.get(`${admin}/applications?limit=2&verified=true${next ? `&after=${next}` : ''}`);
      assert.equal(page.statusCode, 200, page.body);
      const body = page.json();
      assert.ok(body.items.length <= 2);
      seen.push(...body.items.map((a: { email: string }) => a.email));
      next = body.next;
    } while (next);
    assert.deepEqual(seen, [`press-${c.dialect}@example.com`, ...[...emails].reverse()], 'newest first, every one once');
    const byCountry = (await reviewer.get(`${admin}/applications?country=DE`)).json();
    assert.deepEqual(byCountry.items.map((a: { email: string }) => a.email).sort(), [emails[1], emails[3]].sort());

    const lastId = (await reviewer.get(`${admin}/applications?limit=1&status=submitted`)).json().items[0].id;
    const rejected = await reviewer.post(`/api/v1/admin/applications/${lastId}/review`, { action: 'reject', note: 'duplicate of another' });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().reviewNote, 'duplicate of another');
    assert.equal((await reviewer.post(`/api/v1/admin/applications/${lastId}/review`, { action: 'hold' })).statusCode, 200);
    assert.equal((await reviewer.post(`/api/v1/admin/applications/${lastId}/review`, { action: 'hold' })).json().error.code, 'review.not_allowed');
    assert.equal((await reviewer.post(`${admin}/draw/commit`, {})).statusCode, 403, 'reviewers do not draw');

    // The draw: commit (public randomness named in advance), close, freeze, run.
    assert.equal((await anyone.get(`/api/v1/events/${event.slug}/draw`)).statusCode, 404);
    const committed = await organizer.post(`${admin}/draw/commit`, { publicRandomnessLabel: 'DAX close on 2026-12-01' });
    assert.equal(committed.statusCode, 201, committed.body);
    assert.match(committed.json().commitment, /^[0-9a-f]{64}$/);
    assert.equal((await organizer.post(`${admin}/draw/commit`, {})).json().error.code, 'draw.already_committed');
    const publicCommitted = (await anyone.get(`/api/v1/events/${event.slug}/draw`)).json();
    assert.deepEqual(publicCommitted, { ...committed.json(), publicRandomness: { label: 'DAX close on 2026-12-01', value: null }, freeze: null, result: null, bundleUrl: null });
    assert.equal((await organizer.post(`${admin}/draw/freeze`, {})).json().error.code, 'draw.intake_open');

    await changeEventStatus(c.deps, 'test', event.id, 'closed');
    // Weights and quotas were fixed at the commitment (ADR 0011): the freeze may repeat them, not change them.
    const badFreeze = await organizer.post(`${admin}/draw/freeze`, { groups: [{ key: 'preferred', weight: 3, minBasisPoints: 9000, maxBasisPoints: 1000 }, { key: 'other', weight: 1 }] });
    assert.equal(badFreeze.statusCode, 409);
    assert.equal(badFreeze.json().error.code, 'draw.parameters_fixed');
    // One application is on hold: the freeze is refused until the organizer leaves it out explicitly (or decides it).
    const refused = await organizer.post(`${admin}/draw/freeze`, { groups: [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1 }] });
    assert.deepEqual([refused.statusCode, refused.json().error.code], [409, 'draw.held_pending']);
    const frozen = await organizer.post(`${admin}/draw/freeze`, { groups: [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1 }], excludeHeld: true });
    assert.equal(frozen.statusCode, 200, frozen.body);
    const freeze = frozen.json().freeze;
    assert.equal(freeze.entries, 4, 'verified, in the pool: not the held one, not the invite');
    assert.equal(freeze.heldExcluded, 1, 'the held one was left out explicitly, and the record says so');
    assert.equal(freeze.seats, 6);
    assert.deepEqual(freeze.groups.map((g: { key: string; weight: number; entries: number }) => [g.key, g.weight, g.entries]), [['preferred', 3, 2], ['other', 1, 2]]);
    assert.equal((await anyone.get(`/api/v1/events/${event.slug}/draw/bundle`)).statusCode, 404, 'no bundle before the draw');
    // The public record after the freeze: the source and parameters fixed at the commitment, why others are not
    // entries (counts), and the secret behind the commitment.
    const publicFrozen = (await anyone.get(`/api/v1/events/${event.slug}/draw`)).json();
    assert.deepEqual(publicFrozen.randomness, { kind: 'unverified', label: 'DAX close on 2026-12-01' });
    assert.equal(createHash('sha256').update(Buffer.from(publicFrozen.freeze.secret, 'hex')).digest('hex'), committed.json().commitment);
    assert.deepEqual(publicFrozen.freeze.exclusions, { held: 1, rejected: 0, withdrawn: 0, unverified: 0, seated: 1 });
    assert.deepEqual(publicFrozen.committed, { seats: 6, groups: [{ key: 'preferred', weight: 3, minBasisPoints: null, maxBasisPoints: null }, { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: null }] });

    assert.equal((await organizer.post(`${admin}/draw/run`, {})).json().error.code, 'draw.randomness_required');
    // Nothing is left to choose after the commitment: a hold no longer stops the draw (the held entry gets nothing).
    const ran = await organizer.post(`${admin}/draw/run`, { publicRandomnessValue: '19384.12' });
    assert.equal(ran.statusCode, 200, ran.body);
    assert.deepEqual([ran.json().offers, ran.json().waitlisted], [3, 1]);

    const draw = (await anyone.get(`/api/v1/events/${event.slug}/draw`)).json();
    assert.equal(draw.status, 'drawn');
    assert.deepEqual(draw.publicRandomness, { label: 'DAX close on 2026-12-01', value: '19384.12' });
    assert.deepEqual([draw.result.selected, draw.result.waitlist], [3, 1]);
    assert.match(draw.result.secret, /^[0-9a-f]{64}$/);
    const bundleRes = await anyone.get(draw.bundleUrl);
    assert.equal(bundleRes.statusCode, 200);
    assert.match(String(bundleRes.headers['content-type']), /application\/json/);
    const bundle = bundleRes.json();
    assert.deepEqual(verifyBundle(bundle), { ok: true });
    assert.equal(bundle.resultHash, draw.result.resultHash);
    assert.equal(bundle.seed, draw.result.seed);
    assert.doesNotMatch(bundleRes.body, /@example\.com|Applicant/, 'pseudonymous');

    // A selected applicant confirms with one guest fewer (growing is refused).
    const states = await Promise.all(emails.slice(0, 4).map(async (e) => ({ e, a: (await anyone.get(`/api/v1/applications/${tokens.get(e)}`)).json() })));
    const offered = states.filter((s) => s.a.status === 'offered');
    assert.equal(offered.length, 3);
    const { e: winner, a } = offered[0];
    assert.ok(a.entryId && bundle.entries.some((x: { id: string }) => x.id === a.entryId), 'the entry id is in the bundle');
    assert.ok(Date.parse(a.offer.expiresAt) > c.clock.now().getTime());
    assert.equal(a.offer.source, 'draw');
    const waiting = states.find((s) => s.a.status === 'waitlisted')!;
    assert.equal((await anyone.post(`/api/v1/applications/${tokens.get(waiting.e)}/confirm`, {})).json().error.code, 'offer.not_offered');
    const grow = await anyone.post(`/api/v1/applications/${tokens.get(winner)}/confirm`, { keepGuests: [0, 1] });
    assert.equal(grow.statusCode, 422);
    assert.equal(grow.json().error.code, 'offer.cannot_grow');
    const confirmed = await anyone.post(`/api/v1/applications/${tokens.get(winner)}/confirm`, { keepGuests: [] });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, 'confirmed');
    assert.equal(confirmed.json().party.size, 1);
    assert.equal(confirmed.json().details, null, 'time and venue stay hidden until the reveal');
    assert.equal((await anyone.post(`/api/v1/applications/${tokens.get(winner)}/confirm`)).statusCode, 200, 'confirming again changes nothing');

    // The waitlisted party withdraws; another selected party gives its place back.
    assert.equal((await anyone.post(`/api/v1/applications/${tokens.get(waiting.e)}/withdraw`)).json().status, 'withdrawn');
    const declined = await anyone.post(`/api/v1/applications/${tokens.get(offered[1].e)}/decline`);
    assert.equal(declined.statusCode, 200, declined.body);
    assert.equal(declined.json().status, 'declined');

    // The organizer reveals; the confirmed guest sees time and venue.
    const reveal = await organizer.post(`${admin}/reveal`, {
      startsAt: '2026-12-10T19:00:00-05:00',
      endsAt: '2026-12-10T23:00:00-05:00',
      venueName: 'Pier 17',
      venueAddress: '89 South St, New York',
      venueMapUrl: 'https://maps.example/pier-17',
    });
    assert.equal(reveal.statusCode, 200, reveal.body);
    assert.equal(reveal.json().revealedAt, c.clock.now().toISOString());
    assert.equal(reveal.json().notified, 1);
    const after = (await anyone.get(`/api/v1/applications/${tokens.get(winner)}`)).json();
    assert.equal(after.details.startsAt, '2026-12-11T00:00:00.000Z');
    assert.equal(after.details.venueName, 'Pier 17');
    assert.match(after.details.where, /Pier 17, 89 South St/);
    assert.equal((await anyone.get(`/api/v1/applications/${tokens.get(offered[2].e)}`)).json().details, null, 'only confirmed guests learn the venue');
    assert.equal((await anyone.get(`/api/v1/events/${event.slug}`)).json().venue, null, 'the public event stays TBA');

    // Tickets, and the door.
    const tickets = (await anyone.get(`/api/v1/applications/${tokens.get(winner)}/tickets`)).json();
    assert.equal(tickets.tickets.length, 1, 'one guest fewer: one ticket');
    assert.equal(tickets.tickets[0].holderName, a.party.applicant);
    const { code } = tickets.tickets[0];
    assert.ok(code.length >= 22, '≥ 128 bits');
    assert.deepEqual((await anyone.get(`/api/v1/applications/${tokens.get(offered[2].e)}/tickets`)).json().tickets, []);

    const scanned = await door.post('/api/v1/checkin/scan', { code, scan: 'door-scan-0001' });
    assert.equal(scanned.statusCode, 200, scanned.body);
    assert.equal(scanned.json().outcome, 'admitted');
    assert.equal(scanned.json().ticket.holderName, a.party.applicant);
    assert.deepEqual(scanned.json().counts, { expected: 1, arrived: 1 });
    c.clock.advance(60_000);
    const again = await door.post('/api/v1/checkin/scan', { code, event: event.slug });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'ticket.already_used');
    assert.equal(again.json().ticket.checkedInAt, scanned.json().ticket.checkedInAt);
    assert.match(again.json().error.message, /Already checked in at/);
    const retried = await door.post('/api/v1/checkin/scan', { code, scan: 'door-scan-0001' });
    assert.equal(retried.statusCode, 200, 'the same scan retried: the first answer again');
    assert.equal(retried.json().ticket.checkedInAt, scanned.json().ticket.checkedInAt);
    assert.equal((await anyone.get(`/api/v1/applications/${tokens.get(winner)}/tickets`)).json().tickets[0].checkedInAt, scanned.json().ticket.checkedInAt);
    await app.close();
  });
});
