import { sql } from 'kysely';
import type { Queryable } from '../db/connect.ts';

/** The outcome lists of the Guests tab, after the draw (or after the first invite / approval). */
export const GUEST_LISTS = ['selected', 'waitlist', 'offers', 'confirmed', 'declined', 'expired', 'invited', 'checked_in'] as const;
export type GuestList = (typeof GUEST_LISTS)[number];

export const GUEST_SORTS = ['name', 'position', 'deadline', 'confirmed', 'applied'] as const;
export type GuestSort = (typeof GUEST_SORTS)[number];

/** The order each list is shown in unless the organizer picks another. */
export const DEFAULT_SORT: Record<GuestList, GuestSort> = {
  selected: 'position',
  waitlist: 'position',
  offers: 'deadline',
  confirmed: 'name',
  declined: 'name',
  expired: 'name',
  invited: 'name',
  checked_in: 'name',
};

const OFFERED_EVER = ['offered', 'confirmed', 'declined', 'expired'];

export interface GuestRow {
  id: string;
  name: string;
  email: string;
  country: string;
  status: string;
  partySize: number;
  seats: number | null;
  offerSource: string | null;
  category: string | null;
  drawPosition: number | null;
  offerExpiresAt: string | null;
  confirmedAt: string | null;
  createdAt: string;
  checkedIn: number;
}

export interface GuestQuery {
  eventId: string;
  list: GuestList;
  sort?: GuestSort;
  /** Name or email contains (case-insensitive). */
  q?: string;
  limit: number;
  offset?: number;
}

/**
 * One page of an outcome list. Every list is read through the (event_id, status, …) index — the statuses after
 * an offer are bounded by the capacity and its turnover — except the waitlist, which can hold nearly every
 * application and is read in draw order from (event_id, draw_position).
 */
export async function listGuests(db: Queryable, f: GuestQuery): Promise<GuestRow[]> {
  let q = db.selectFrom('applications').where('applications.event_id', '=', f.eventId);
  switch (f.list) {
    case 'selected':
      q = q.where('status', 'in', OFFERED_EVER).where('offer_source', '=', 'draw');
      break;
    case 'waitlist':
      q = q.where('status', '=', 'waitlisted');
      break;
    case 'offers':
      q = q.where('status', '=', 'offered');
      break;
    case 'invited':
      // Every invite, also one whose party already held seats when it was invited (its offer came from the draw
      // or a review; the invite only marked it): kind says "invited", offer_source only where the seats came from.
      q = q.where('status', 'in', OFFERED_EVER).where((eb) => eb.or([eb('kind', '=', 'invite'), eb('offer_source', '=', 'invite')]));
      break;
    case 'checked_in':
      q = q
        .where('status', '=', 'confirmed')
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('tickets').select('tickets.id').whereRef('tickets.application_id', '=', 'applications.id').where('tickets.checked_in_at', 'is not', null).where('tickets.voided_at', 'is', null)),
        );
      break;
    default:
      q = q.where('status', '=', f.list);
  }
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`(lower(name) like ${like} escape '\\' or email_normalized like ${like} escape '\\')`);
  }
  const sort = f.sort ?? DEFAULT_SORT[f.list];
  let s = q.select([
    'applications.id',
    'name',
    'email',
    'country',
    'status',
    'party_size',
    'seats',
    'offer_source',
    'category',
    'draw_position',
    'offer_expires_at',
    'confirmed_at',
    'created_at',
    (eb) =>
      eb
        .selectFrom('tickets')
        .select((e2) => e2.fn.countAll<number | string>().as('n'))
        .whereRef('tickets.application_id', '=', 'applications.id')
        .where('tickets.checked_in_at', 'is not', null)
        .where('tickets.voided_at', 'is', null)
        .as('checked_in'),
  ]);
  if (sort === 'name') s = s.orderBy(sql`lower(name)`).orderBy('applications.id');
  else if (sort === 'position') s = s.orderBy('draw_position').orderBy('applications.id');
  else if (sort === 'deadline') s = s.orderBy('offer_expires_at').orderBy('applications.id');
  else if (sort === 'confirmed') s = s.orderBy('confirmed_at').orderBy('applications.id');
  else s = s.orderBy('created_at').orderBy('applications.id');
  const rows = await s.limit(f.limit).offset(f.offset ?? 0).execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    country: r.country,
    status: r.status,
    partySize: r.party_size,
    seats: r.seats,
    offerSource: r.offer_source,
    category: r.category,
    drawPosition: r.draw_position,
    offerExpiresAt: r.offer_expires_at,
    confirmedAt: r.confirmed_at,
    createdAt: r.created_at,
    checkedIn: Number(r.checked_in ?? 0),
  }));
}

/** How many parties each list holds (for the list switcher); the waitlist from the counters. */
export async function countGuestLists(db: Queryable, eventId: string): Promise<Record<GuestList, number>> {
  const rows = await db
    .selectFrom('applications')
    .select(['status', 'offer_source', 'kind', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('event_id', '=', eventId)
    .where('status', 'in', OFFERED_EVER)
    .groupBy(['status', 'offer_source', 'kind'])
    .execute();
  const [waitlisted, checkedIn] = await Promise.all([
    db
      .selectFrom('application_counts')
      .select((eb) => eb.fn.sum<number | string>('n').as('n'))
      .where('event_id', '=', eventId)
      .where('status', '=', 'waitlisted')
      .executeTakeFirst(),
    db
      .selectFrom('tickets')
      .innerJoin('applications', 'applications.id', 'tickets.application_id')
      .select((eb) => eb.fn.count<number | string>('tickets.application_id').distinct().as('n'))
      .where('tickets.event_id', '=', eventId)
      .where('tickets.checked_in_at', 'is not', null)
      .where('tickets.voided_at', 'is', null)
      .where('applications.status', '=', 'confirmed')
      .executeTakeFirst(),
  ]);
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((s, r) => s + Number(r.n), 0);
  return {
    selected: sum((r) => r.offer_source === 'draw'),
    waitlist: Number(waitlisted?.n ?? 0),
    offers: sum((r) => r.status === 'offered'),
    confirmed: sum((r) => r.status === 'confirmed'),
    declined: sum((r) => r.status === 'declined'),
    expired: sum((r) => r.status === 'expired'),
    invited: sum((r) => r.kind === 'invite' || r.offer_source === 'invite'),
    checked_in: Number(checkedIn?.n ?? 0),
  };
}
