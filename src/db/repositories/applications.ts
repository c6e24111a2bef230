import { sql } from 'kysely';
import type { Guest } from '../../domain/application.ts';
import type { Locale } from '../../domain/locales.ts';
import type { Queryable } from '../connect.ts';
import type { ApplicationRow } from '../schema.ts';

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
  };
}

export async function findApplicationById(db: Queryable, id: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? applicationFromRow(row) : null;
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

export interface ApplicationFilter {
  eventId: string;
  status?: string;
  country?: string;
  partySize?: number;
  verified?: boolean;
  q?: string;
  /** Keyset cursor: id of the last row on the previous page (ids are time-ordered). */
  after?: string;
  limit: number;
}

function filtered(db: Queryable, f: Omit<ApplicationFilter, 'limit'>) {
  let q = db.selectFrom('applications').where('event_id', '=', f.eventId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.partySize) q = q.where('party_size', '=', f.partySize);
  if (f.verified !== undefined) q = q.where('verified', '=', f.verified ? 1 : 0);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // ESCAPE spelled out: PostgreSQL escapes with a backslash by default, SQLite only when told.
    q = q.where(sql<boolean>`(lower(name) like ${like} escape '\\' or email_normalized like ${like} escape '\\')`);
  }
  if (f.after) q = q.where('id', '<', f.after);
  return q;
}

/**
 * Keyset pagination, newest first: WHERE id < :after ORDER BY id DESC. No OFFSET scans. Exact: with a filter
 * no index serves in id order (a search, party size, two filters at once) it may read every row of the event;
 * the organizer's page uses {@link listApplicationPage}, which bounds that.
 */
export async function listApplications(db: Queryable, f: ApplicationFilter): Promise<Application[]> {
  const rows = await applicationListQuery(db, f).execute();
  return rows.map(applicationFromRow);
}

/** The list statement itself (tests EXPLAIN it on both databases). */
export function applicationListQuery(db: Queryable, f: ApplicationFilter & { floor?: string }) {
  let q = filtered(db, f);
  if (f.floor) q = q.where('id', '>=', f.floor);
  return q.selectAll().orderBy('id', 'desc').limit(f.limit);
}

/**
 * Filters an index reads in id order by itself, so a page costs ~limit index entries however rare the match:
 * (event_id, id), (event_id, status, id), (event_id, country, id), (event_id, status, verified, id).
 */
export function filterUsesIndex(f: Omit<ApplicationFilter, 'limit' | 'after'>): boolean {
  if (f.q || f.partySize) return false;
  if (f.country) return !f.status && f.verified === undefined;
  if (f.verified !== undefined) return !!f.status;
  return true;
}

export interface ApplicationPage {
  rows: Application[];
  /** Cursor for the next page (the "after" to pass), null on the last page. */
  next: string | null;
  /**
   * Set when the page ended at the scan bound rather than after `limit` matches: every application newer
   * than this one was looked at; older ones were not yet (the next page continues there).
   */
  searchedTo: { id: string; createdAt: string } | null;
}

/**
 * One page of the organizer's list with bounded work. When the filters are served by an index in id order
 * this is {@link listApplications}. Otherwise (search, party size, combined filters) it looks at no more
 * than `scanLimit` applications per page, newest first: it finds the id `scanLimit` rows below the cursor on
 * (event_id, id) — an index-only walk — and searches only above it. A page may then hold fewer than `limit`
 * rows although older matches exist; `searchedTo` says how far it looked and `next` continues from there.
 */
export async function listApplicationPage(db: Queryable, f: ApplicationFilter & { scanLimit: number }): Promise<ApplicationPage> {
  let floor: { id: string; created_at: string } | undefined;
  if (!filterUsesIndex(f)) {
    // Only `id` in the walk, so it stays index-only on (event_id, id); created_at for the one row found after.
    let w = db.selectFrom('applications').select('id').where('event_id', '=', f.eventId);
    if (f.after) w = w.where('id', '<', f.after);
    const bound = await w.orderBy('id', 'desc').offset(f.scanLimit - 1).limit(1).executeTakeFirst();
    if (bound) floor = await db.selectFrom('applications').select(['id', 'created_at']).where('id', '=', bound.id).executeTakeFirst();
  }
  const rows = (await applicationListQuery(db, { ...f, floor: floor?.id, limit: f.limit + 1 }).execute()).map(applicationFromRow);
  if (rows.length > f.limit) return { rows: rows.slice(0, f.limit), next: rows[f.limit - 1].id, searchedTo: null };
  if (floor) return { rows, next: floor.id, searchedTo: { id: floor.id, createdAt: floor.created_at } };
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
