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

/** Keyset pagination, newest first: WHERE id < :after ORDER BY id DESC. No OFFSET scans. */
export async function listApplications(db: Queryable, f: ApplicationFilter): Promise<Application[]> {
  let q = db.selectFrom('applications').selectAll().where('event_id', '=', f.eventId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.partySize) q = q.where('party_size', '=', f.partySize);
  if (f.verified !== undefined) q = q.where('verified', '=', f.verified ? 1 : 0);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb('email_normalized', 'like', like)]));
  }
  if (f.after) q = q.where('id', '<', f.after);
  const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
  return rows.map(applicationFromRow);
}

export async function countApplicationsByStatus(db: Queryable, eventId: string) {
  return db
    .selectFrom('applications')
    .select(['status', 'verified', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('party_size').as('people')])
    .where('event_id', '=', eventId)
    .groupBy(['status', 'verified'])
    .execute();
}

/** Applications per country of residence, most first (the organizer's overview; one GROUP BY is fine at this size). */
export async function countApplicationsByCountry(db: Queryable, eventId: string) {
  const rows = await db
    .selectFrom('applications')
    .select(['country', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('party_size').as('people')])
    .where('event_id', '=', eventId)
    .groupBy('country')
    .execute();
  return rows.map((r) => ({ country: r.country, n: Number(r.n), people: Number(r.people) })).sort((a, b) => b.n - a.n || a.country.localeCompare(b.country));
}
