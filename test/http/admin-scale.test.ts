import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import {
  applicationListQuery,
  filterUsesIndex,
  listApplicationPage,
  listApplications,
  type ApplicationFilter,
  type SortCursor,
} from '../../src/db/repositories/applications.ts';
import { submitApplication, verifyApplication } from '../../src/services/applications.ts';
import { createUser, startSession } from '../../src/services/users.ts';
import { applicationListBody } from '../../src/http/views/admin/applications.ts';
import { translator } from '../../src/i18n/index.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { seedVerifiedApplications, tokenFromMail } from '../services/draw-fixtures.ts';

const input = (email: string, country: string) => ({
  name: 'Ada Lovelace',
  email,
  country,
  locale: 'en',
  consent: true,
  answers: { why: 'I love launches' },
  guests: [],
});

/** Every page of a filter, following `next`, as the organizer would click through. */
async function walk(c: TestContext, f: Omit<ApplicationFilter, 'limit' | 'after'>, limit: number, scanLimit: number) {
  const ids: string[] = [];
  let pages = 0;
  let bounded = 0;
  let after: string | undefined;
  for (;;) {
    const page = await listApplicationPage(c.db.db, { ...f, after, limit, scanLimit });
    pages++;
    if (page.searchedTo) bounded++;
    assert.ok(page.rows.length <= limit);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) break;
    after = page.next;
  }
  return { ids, pages, bounded };
}

/** The plan of one list statement: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's plan with seq scans and sorts priced out. */
async function plan(c: TestContext, f: ApplicationFilter & { cursor?: SortCursor; floor?: SortCursor }): Promise<string> {
  const q = applicationListQuery(c.db.db, f).compile();
  if (c.dialect === 'sqlite') {
    const r = await c.db.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x.detail).join('\n');
  }
  // A handful of test rows would rightly be read by a sequential scan; the question is whether an index
  // can deliver the order by itself, so make the alternatives prohibitively expensive in one transaction.
  return c.db.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local enable_sort = off`.execute(trx);
    const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}

forEachDialect('http admin at scale', (ctx) => {
  test('bounded pages: a search walks the whole event in windows, finds exactly what the exact query finds', async () => {
    const c = ctx();
    const event = await c.makeEvent({ maxPartySize: 4 });
    await seedVerifiedApplications(c, event.id, 230, 's');
    const filters: Omit<ApplicationFilter, 'limit' | 'after'>[] = [
      { eventId: event.id, q: 'applicant 1' },
      { eventId: event.id, q: 'nobody' },
      { eventId: event.id, country: 'DE', partySize: 2 },
      { eventId: event.id, status: 'submitted', verified: true },
      { eventId: event.id },
      // other orders (migration 011): the same keyset walk over (key, id)
      { eventId: event.id, sort: 'name' },
      { eventId: event.id, sort: 'name', q: 'applicant 1' },
      { eventId: event.id, sort: 'party', country: 'DE' },
      { eventId: event.id, sort: 'score' },
      { eventId: event.id, sort: 'score', status: 'submitted', verified: true },
      { eventId: event.id, sort: 'country', country: 'FR' },
    ];
    // Names and scores with many ties, so the id tie-break is exercised.
    await sql`update applications set sort_name = lower(substr(name, 1, 11)), review_score = (party_size * 37 % 5) * 100 where event_id = ${event.id}`.execute(c.db.db);
    for (const f of filters) {
      const exact = (await listApplications(c.db.db, { ...f, limit: 10_000 })).map((r) => r.id);
      const { ids, pages, bounded } = await walk(c, f, 7, 40);
      assert.deepEqual(ids, exact, JSON.stringify(f));
      if (filterUsesIndex(f)) assert.equal(bounded, 0, `${JSON.stringify(f)}: an index serves it, no bound`);
      else if (f.q === 'nobody') assert.deepEqual([pages, bounded], [6, 5], 'no match: 230 rows looked at 40 per page, every page but the last bounded');
      else if (!f.sort || f.q) assert.ok(bounded > 0, JSON.stringify(f));
    }
    // % and _ in a search are literal characters on both databases.
    await c.db.db.updateTable('applications').set({ name: 'Percy 100%_sure' }).where('id', '=', 's000042').execute();
    const search = async (q: string) => (await listApplications(c.db.db, { eventId: event.id, q, limit: 10 })).map((r) => r.name);
    assert.deepEqual(await search('100%_s'), ['Percy 100%_sure']);
    assert.deepEqual(await search('y_1'), []);
    assert.deepEqual(await search('0%%'), []);
    // A search with more than a page of matches in the window: a full page, normal "next".
    const page = await listApplicationPage(c.db.db, { eventId: event.id, q: 'applicant', limit: 7, scanLimit: 40 });
    assert.equal(page.rows.length, 7);
    assert.equal(page.searchedTo, null);
  });

  test('list statements are read from an index in id order (no sort, no full scan)', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    await seedVerifiedApplications(c, event.id, 50, 'x');
    if (c.dialect === 'sqlite') await sql`analyze`.execute(c.db.db);
    const cases: [ApplicationFilter & { cursor?: SortCursor; floor?: SortCursor }, RegExp][] = [
      [{ eventId: event.id, limit: 51 }, /applications_event_id_idx/],
      [{ eventId: event.id, after: 'x000030', limit: 51 }, /applications_event_id_idx/],
      [{ eventId: event.id, status: 'withdrawn', limit: 51 }, /applications_event_(status|state)_idx/],
      [{ eventId: event.id, status: 'submitted', verified: false, limit: 51 }, /applications_event_state_idx/],
      [{ eventId: event.id, country: 'DE', limit: 51 }, /applications_event_country_idx/],
      // bounded: the window's floor limits the range read from an index
      [{ eventId: event.id, q: 'ada', floor: { id: 'x000010', key: 'x000010' }, limit: 51 }, /applications_event_id_idx|applications_pkey|sqlite_autoindex_applications_1/],
      // the other orders (migration 011), first page, later pages and bounded windows
      [{ eventId: event.id, sort: 'name', limit: 51 }, /applications_event_name_idx/],
      [{ eventId: event.id, sort: 'name', cursor: { id: 'x000030', key: 'applicant 30' }, limit: 51 }, /applications_event_name_idx/],
      [{ eventId: event.id, sort: 'name', reverse: true, cursor: { id: 'x000030', key: 'applicant 30' }, limit: 2 }, /applications_event_name_idx/],
      [{ eventId: event.id, sort: 'country', limit: 51 }, /applications_event_country_idx/],
      [{ eventId: event.id, sort: 'country', country: 'DE', limit: 51 }, /applications_event_country_idx/],
      [{ eventId: event.id, sort: 'party', cursor: { id: 'x000030', key: 2 }, limit: 51 }, /applications_event_party_idx/],
      [{ eventId: event.id, sort: 'score', cursor: { id: 'x000030', key: 0 }, limit: 51 }, /applications_event_score_idx/],
      [{ eventId: event.id, sort: 'score', status: 'submitted', floor: { id: 'x000010', key: 0 }, limit: 51 }, /applications_event_score_idx/],
    ];
    for (const [f, index] of cases) {
      const p = await plan(c, f);
      assert.match(p, index, `${JSON.stringify(f)}:\n${p}`);
      assert.doesNotMatch(p, /TEMP B-TREE|^\s*Sort|Seq Scan|SCAN applications\b(?! USING)/m, `${JSON.stringify(f)}:\n${p}`);
    }
  });

  test('the list page: counts move with the applicants at once, received per day, the bounded-search notice', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    for (const [i, country] of ['US', 'DE', 'US'].entries()) await submitApplication(c.deps, event.slug, input(`p${i}@example.com`, country));
    const app = await buildTestApp(c);
    const owner = await createUser(c.deps, 'test', { email: 'owner-scale@admit.test', role: 'owner', name: 'Owner' });
    const cookie = `admit_session=${app.signCookie(await startSession(c.deps, owner.id))}`;
    const get = (url: string) => app.inject({ url, headers: { cookie } });
    const url = `/admin/events/${event.id}/applications`;
    let res = await get(url);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /3 applications for 3 people/);
    assert.match(res.body, /Email not verified<\/a> <strong>3<\/strong>/);
    assert.match(res.body, /<h3>Received per day<\/h3>/);
    assert.match(res.body, /November 1, 2026 <strong>3<\/strong>/);

    await verifyApplication(c.deps, await tokenFromMail(c, 'p1@example.com'));
    res = await get(url);
    assert.match(res.body, /Email not verified<\/a> <strong>2<\/strong>/, 'no stale cache: the next view shows the change');
    assert.match(res.body, /href="\?status=submitted&amp;verified=yes">[^<]+<\/a> <strong>1<\/strong>/);

    // A bounded page says how far it looked and offers to go on.
    const t = translator('en');
    const body = applicationListBody({
        t,
        locale: 'en',
        event,
        query: { q: 'zz' },
        rows: [],
        nextUrl: '?q=zz&after=abc',
        firstUrl: null,
        searchedTo: { createdAt: '2026-11-01T12:00:00.000Z' },
        byStatus: [],
      byCountry: [],
    }).value;
    assert.match(body, /looked only at applications received since/);
    assert.match(body, /<a href="\?q=zz&amp;after=abc" rel="next">Search older applications<\/a>/);
    await app.close();
  });
});
