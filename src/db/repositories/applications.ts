import { sql } from 'kysely';
import type { Guest } from '../../domain/application.ts';
import type { Locale } from '../../domain/locales.ts';
import { foldForSearch } from '../../domain/search.ts';
import type { Queryable } from '../connect.ts';
import type { ApplicationRow } from '../schema.ts';
import { type SplitToken, splitTokenMatches } from '../../platform/split-token.ts';

export interface Application {
  id: string;
  eventId: string;
  status: string;
  name: string;
  email: string;
  country: string;
  locale: Locale;
  partySize: number;
  guests: Guest[];
  answers: Record<string, string>;
  verified: boolean;
  createdAt: string;
  updatedAt: string;
  verifiedAt: string | null;
  withdrawnAt: string | null;
  /** 'application' | 'invite' */
  kind: string;
  category: string | null;
  offerSource: string | null;
  offerExpiresAt: string | null;
  seats: number | null;
  entryId: string | null;
  drawPosition: number | null;
  reviewNote: string | null;
  confirmedAt: string | null;
  /** Average reviewer score × 100 (0 = none yet) and how many reviewers scored (migration 011). */
  reviewScore: number;
  reviewCount: number;
}

export function applicationFromRow(r: ApplicationRow): Application {
  return {
    id: r.id,
    eventId: r.event_id,
    status: r.status,
    name: r.name,
    email: r.email,
    country: r.country,
    locale: r.locale as Locale,
    partySize: r.party_size,
    guests: JSON.parse(r.guests),
    answers: JSON.parse(r.answers),
    verified: r.verified === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    verifiedAt: r.verified_at,
    withdrawnAt: r.withdrawn_at,
    kind: r.kind,
    category: r.category,
    offerSource: r.offer_source,
    offerExpiresAt: r.offer_expires_at,
    seats: r.seats,
    entryId: r.entry_id,
    drawPosition: r.draw_position,
    reviewNote: r.review_note,
    confirmedAt: r.confirmed_at,
    reviewScore: r.review_score ?? 0,
    reviewCount: r.review_count ?? 0,
  };
}

export async function findApplicationById(db: Queryable, id: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? applicationFromRow(row) : null;
}

/**
 * A split status-page token `<id>-<secret>` (platform/split-token.ts): the row's own, read by primary key, or
 * a link mailed later (application_links, whose stored value starts with the link's own id). The secret's
 * hash is compared in constant time; there is no index on a random value to probe.
 */
export async function findApplicationBySplitToken(db: Queryable, token: SplitToken): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', token.id).executeTakeFirst();
  if (row) return splitTokenMatches(row.token_hash, token) ? applicationFromRow(row) : null;
  // application_links: the stored value is `<link id>.<hash>`; its primary key range under the id holds it.
  const link = await db
    .selectFrom('application_links')
    .select(['application_id', 'token_hash'])
    .where('token_hash', '>=', `${token.id}.`)
    .where('token_hash', '<', `${token.id}/`)
    .executeTakeFirst();
  return link && splitTokenMatches(link.token_hash, token) ? findApplicationById(db, link.application_id) : null;
}

/** The status-page token: the primary one on the row, or any extra link mailed later. */
export async function findApplicationByTokenHash(db: Queryable, tokenHash: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  if (row) return applicationFromRow(row);
  const link = await db.selectFrom('application_links').select('application_id').where('token_hash', '=', tokenHash).executeTakeFirst();
  return link ? findApplicationById(db, link.application_id) : null;
}

export async function findApplicationByEmail(db: Queryable, eventId: string, emailNormalized: string): Promise<Application | null> {
  const row = await db
    .selectFrom('applications')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
  return row ? applicationFromRow(row) : null;
}

/**
 * The orders of the organizer's list. Each is read from an index in order, (event_id, key, id), so a page costs
 * ~limit index entries: date = id (ids are time-ordered, newest first), name = the folded name A→Z, country A→Z,
 * party size largest first, score (average of the reviewers', migration 011) highest first. Ties go by id in the
 * same direction, so (key, id) is a strict keyset.
 */
export const APPLICATION_SORTS = ['date', 'name', 'country', 'party', 'score'] as const;
export type ApplicationSort = (typeof APPLICATION_SORTS)[number];
type SortColumn = 'id' | 'sort_name' | 'country' | 'party_size' | 'review_score';
const SORT: Record<ApplicationSort, { column: SortColumn; dir: 'asc' | 'desc' }> = {
  date: { column: 'id', dir: 'desc' },
  name: { column: 'sort_name', dir: 'asc' },
  country: { column: 'country', dir: 'asc' },
  party: { column: 'party_size', dir: 'desc' },
  score: { column: 'review_score', dir: 'desc' },
};
export const isApplicationSort = (s: unknown): s is ApplicationSort => (APPLICATION_SORTS as readonly unknown[]).includes(s);

export const FLAG_KINDS = ['possible_duplicate', 'same_household', 'suspicious_email'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export const isFlagKind = (x: unknown): x is FlagKind => (FLAG_KINDS as readonly unknown[]).includes(x);

export interface ReviewFlag {
  kind: string;
  reason: string;
  /** The earlier application it resembles (null for flags that need no other application). */
  relatedId: string | null;
}

/** The review flags of some applications of one event (a page of the list, or one detail page). */
export async function flagsOf(db: Queryable, eventId: string, applicationIds: string[]): Promise<Map<string, ReviewFlag[]>> {
  const out = new Map<string, ReviewFlag[]>();
  if (!applicationIds.length) return out;
  const rows = await db
    .selectFrom('application_flags')
    .select(['application_id', 'kind', 'reason', 'related_id'])
    .where('event_id', '=', eventId)
    .where('application_id', 'in', applicationIds)
    .orderBy('application_id')
    .orderBy('kind')
    .execute();
  for (const r of rows) {
    const list = out.get(r.application_id) ?? [];
    list.push({ kind: r.kind, reason: r.reason, relatedId: r.related_id });
    out.set(r.application_id, list);
  }
  return out;
}

export interface ApplicationFilter {
  eventId: string;
  status?: string;
  country?: string;
  partySize?: number;
  verified?: boolean;
  /** Only applications with a review flag of this kind (application_flags), or of any kind ('any'). */
  flag?: FlagKind | 'any';
  q?: string;
  /** Default: date (newest first). */
  sort?: ApplicationSort;
  /** Keyset cursor: id of the last row on the previous page (its sort key is looked up). */
  after?: string;
  /** Walk the order backwards (the detail page's "previous"). */
  reverse?: boolean;
  limit: number;
}

/** A position in a sort order: the row's sort key and id. */
export interface SortCursor {
  id: string;
  key: string | number;
}

function order(f: Pick<ApplicationFilter, 'sort' | 'reverse'>) {
  const s = SORT[f.sort ?? 'date'];
  const dir = f.reverse ? (s.dir === 'asc' ? 'desc' : 'asc') : s.dir;
  return { column: s.column, dir, past: dir === 'asc' ? sql.raw('>') : sql.raw('<'), upTo: dir === 'asc' ? sql.raw('<=') : sql.raw('>=') };
}

/** Where a row stands in an order (null if it is gone). */
export async function sortCursorOf(db: Queryable, sort: ApplicationSort | undefined, id: string): Promise<SortCursor | null> {
  const column = SORT[sort ?? 'date'].column;
  const row = await db.selectFrom('applications').select(['id', column]).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, key: (row as Record<string, string | number>)[column] } : null;
}

function filtered(db: Queryable, f: Omit<ApplicationFilter, 'limit'>) {
  let q = db.selectFrom('applications').where('event_id', '=', f.eventId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.partySize) q = q.where('party_size', '=', f.partySize);
  if (f.verified !== undefined) q = q.where('verified', '=', f.verified ? 1 : 0);
  if (f.flag) {
    const kind = f.flag;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('application_flags')
          .select(sql`1`.as('one'))
          .whereRef('application_flags.application_id', '=', 'applications.id')
          .$if(kind !== 'any', (w) => w.where('application_flags.kind', '=', kind as FlagKind)),
      ),
    );
  }
  const folded = f.q ? foldForSearch(f.q) : '';
  if (folded) {
    const escape = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = escape(folded);
    const plain = escape(f.q!.trim().toLowerCase());
    // ESCAPE spelled out: PostgreSQL escapes with a backslash by default, SQLite only when told. search_text covers
    // name, guests and address folded (src/domain/search.ts); rows written without it match as before.
    q = q.where(
      sql<boolean>`(search_text like ${like} escape '\\' or (search_text is null and (lower(name) like ${plain} escape '\\' or email_normalized like ${plain} escape '\\')))`,
    );
  }
  return q;
}

/** Rows strictly past the cursor in the order. */
function pastCursor<Q extends ReturnType<typeof filtered>>(q: Q, f: Pick<ApplicationFilter, 'sort' | 'reverse'>, c: SortCursor, op: 'past' | 'upTo'): Q {
  const o = order(f);
  if (o.column === 'id') return q.where(sql<boolean>`id ${o[op]} ${c.id}`) as Q;
  return q.where(sql<boolean>`(${sql.ref(o.column)}, id) ${o[op]} (${c.key}, ${c.id})`) as Q;
}

/**
 * Keyset pagination in the chosen order: WHERE (key, id) past the cursor ORDER BY key, id. No OFFSET scans.
 * Exact: with a filter no index serves in that order (a search, party size, two filters at once) it may read
 * every row of the event; the organizer's page uses {@link listApplicationPage}, which bounds that.
 */
export async function listApplications(db: Queryable, f: ApplicationFilter): Promise<Application[]> {
  const cursor = f.after ? await cursorFor(db, f) : undefined;
  const rows = await applicationListQuery(db, { ...f, cursor }).execute();
  return rows.map(applicationFromRow);
}

/** The cursor of `after` (for the date order the id alone; a row gone since is treated as the id alone too). */
async function cursorFor(db: Queryable, f: ApplicationFilter): Promise<SortCursor | undefined> {
  if (!f.after) return undefined;
  if (order(f).column === 'id') return { id: f.after, key: f.after };
  return (await sortCursorOf(db, f.sort, f.after)) ?? undefined;
}

/** The list statement itself (tests EXPLAIN it on both databases). */
export function applicationListQuery(db: Queryable, f: ApplicationFilter & { cursor?: SortCursor; floor?: SortCursor }) {
  let q = filtered(db, f);
  const cursor = f.cursor ?? (f.after && order(f).column === 'id' ? { id: f.after, key: f.after } : undefined);
  if (cursor) q = pastCursor(q, f, cursor, 'past');
  if (f.floor) q = pastCursor(q, f, f.floor, 'upTo');
  const o = order(f);
  let s = q.selectAll();
  if (o.column !== 'id') s = s.orderBy(o.column, o.dir);
  return s.orderBy('id', o.dir).limit(f.limit);
}

/**
 * Filters an index reads in the order by itself, so a page costs ~limit index entries however rare the match:
 * by date (event_id, id), (event_id, status, id), (event_id, country, id), (event_id, status, verified, id);
 * in another order (event_id, key, id), alone or with an equality on the key itself.
 */
export function filterUsesIndex(f: Omit<ApplicationFilter, 'limit' | 'after'>): boolean {
  if (f.q || f.flag) return false;
  const sort = f.sort ?? 'date';
  if (sort !== 'date') {
    const others = [f.status, f.verified, sort === 'country' ? undefined : f.country, sort === 'party' ? undefined : f.partySize];
    return others.every((x) => x === undefined || x === '');
  }
  if (f.partySize) return false;
  if (f.country) return !f.status && f.verified === undefined;
  if (f.verified !== undefined) return !!f.status;
  return true;
}

export interface ApplicationPage {
  rows: Application[];
  /** Cursor for the next page (the "after" to pass), null on the last page. */
  next: string | null;
  /**
   * Set when the page ended at the scan bound rather than after `limit` matches: every application before
   * this one in the order was looked at; later ones were not yet (the next page continues there).
   */
  searchedTo: { id: string; createdAt: string } | null;
}

/**
 * One page of the organizer's list with bounded work. When the filters are served by an index in the order
 * this is {@link listApplications}. Otherwise (search, party size, combined filters) it looks at no more
 * than `scanLimit` applications per page: it finds the row `scanLimit` places past the cursor on the order's
 * index (event_id, key, id) — an index-only walk — and searches only up to it. A page may then hold fewer than
 * `limit` rows although later matches exist; `searchedTo` says how far it looked and `next` continues from there.
 */
export async function listApplicationPage(db: Queryable, f: ApplicationFilter & { scanLimit: number }): Promise<ApplicationPage> {
  const cursor = await cursorFor(db, f);
  let floor: SortCursor | undefined;
  let floorCreatedAt = '';
  if (!filterUsesIndex(f)) {
    // Only the key and id in the walk, so it stays index-only on (event_id, key, id).
    const o = order(f);
    let w = db.selectFrom('applications').where('event_id', '=', f.eventId);
    if (cursor) w = pastCursor(w, f, cursor, 'past');
    const walk = o.column === 'id' ? w.select('id') : w.select(['id', o.column]).orderBy(o.column, o.dir);
    const bound = await walk.orderBy('id', o.dir).offset(f.scanLimit - 1).limit(1).executeTakeFirst();
    if (bound) {
      floor = { id: bound.id, key: o.column === 'id' ? bound.id : (bound as Record<string, string | number>)[o.column] };
      floorCreatedAt = (await db.selectFrom('applications').select('created_at').where('id', '=', bound.id).executeTakeFirst())?.created_at ?? '';
    }
  }
  const rows = (await applicationListQuery(db, { ...f, cursor, floor, limit: f.limit + 1 }).execute()).map(applicationFromRow);
  if (rows.length > f.limit) return { rows: rows.slice(0, f.limit), next: rows[f.limit - 1].id, searchedTo: null };
  if (floor) return { rows, next: floor.id, searchedTo: { id: floor.id, createdAt: floorCreatedAt } };
  return { rows, next: null, searchedTo: null };
}

export interface StatusCount {
  status: string;
  verified: number;
  n: number;
  people: number;
}

/**
 * Applications of an event by status and email state, now: read from `application_counts`, which triggers keep
 * exact in the same transaction as every write to `applications` (migration 006). A few hundred rows at most,
 * whatever the number of applications.
 */
export async function countApplicationsByStatus(db: Queryable, eventId: string): Promise<StatusCount[]> {
  const rows = await db
    .selectFrom('application_counts')
    .select(['status', 'verified', (eb) => eb.fn.sum<number | string>('n').as('n'), (eb) => eb.fn.sum<number | string>('people').as('people')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified'])
    .execute();
  return rows
    .map((r) => ({ status: r.status, verified: Number(r.verified), n: Number(r.n), people: Number(r.people) }))
    .filter((r) => r.n !== 0)
    .sort((a, b) => a.status.localeCompare(b.status) || a.verified - b.verified);
}

/** Applications per country of residence (every status), most first; from the same counters. */
export async function countApplicationsByCountry(db: Queryable, eventId: string): Promise<{ country: string; n: number; people: number }[]> {
  const rows = await db
    .selectFrom('application_counts')
    .select(['country', (eb) => eb.fn.sum<number | string>('n').as('n'), (eb) => eb.fn.sum<number | string>('people').as('people')])
    .where('event_id', '=', eventId)
    .groupBy('country')
    .execute();
  return rows
    .map((r) => ({ country: r.country, n: Number(r.n), people: Number(r.people) }))
    .filter((r) => r.n !== 0)
    .sort((a, b) => b.n - a.n || a.country.localeCompare(b.country));
}

/**
 * The same counts by GROUP BY over the rows (reads every application of the event): for tests and for
 * checking the counters, never on a page.
 */
export async function recountApplications(db: Queryable, eventId: string): Promise<{ status: string; verified: number; country: string; n: number; people: number }[]> {
  const rows = await db
    .selectFrom('applications')
    .select(['status', 'verified', 'country', (eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.sum<number | string>('party_size').as('people')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified', 'country'])
    .execute();
  return rows.map((r) => ({ status: r.status, verified: Number(r.verified), country: r.country, n: Number(r.n), people: Number(r.people) })).sort(byKey);
}

/** The maintained counters per status, email state and country (what {@link recountApplications} should equal). */
export async function maintainedCounts(db: Queryable, eventId: string): Promise<{ status: string; verified: number; country: string; n: number; people: number }[]> {
  const rows = await db
    .selectFrom('application_counts')
    .select(['status', 'verified', 'country', (eb) => eb.fn.sum<number | string>('n').as('n'), (eb) => eb.fn.sum<number | string>('people').as('people')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified', 'country'])
    .execute();
  return rows
    .map((r) => ({ status: r.status, verified: Number(r.verified), country: r.country, n: Number(r.n), people: Number(r.people) }))
    .filter((r) => r.n !== 0 || r.people !== 0)
    .sort(byKey);
}

const byKey = (a: { status: string; verified: number; country: string }, b: { status: string; verified: number; country: string }) =>
  a.status.localeCompare(b.status) || a.verified - b.verified || a.country.localeCompare(b.country);
