import type { Event } from '../domain/event.ts';
import type { Queryable } from '../db/connect.ts';
import { maintainedCounts } from '../db/repositories/applications.ts';
import { seatsBySource } from '../db/repositories/draws.ts';
import { receivedByDay } from '../intake/stats.ts';
import type { Deps } from './deps.ts';

/** Parties (applications) and the people in them. */
export interface Tally {
  parties: number;
  people: number;
}

/**
 * Seats against capacity, each seat counted once: a held seat is either still offered or confirmed, and comes from
 * exactly one source. Confirmed seats are a part of the held ones, so "held + free = capacity" always adds up.
 */
export interface SeatOverview {
  capacity: number;
  /** Seats held by open offers or confirmed places, per source. */
  invite: number;
  review: number;
  draw: number;
  /** Of all held seats, those whose party has confirmed attendance. */
  confirmed: number;
  /** Held by open offers (not confirmed yet). */
  offered: number;
  free: number;
}

export interface EventOverview {
  /** The funnel, each step a subset of the one before. */
  funnel: {
    applied: Tally;
    verified: Tally;
    inSelection: Tally;
    offered: Tally;
    confirmed: Tally;
    checkedIn: Tally;
  };
  byDay: { day: string; received: number }[];
  /** Applications by country (every status), most first. */
  byCountry: { country: string; n: number }[];
  /** Parties taking part in the selection, by party size. */
  partySizes: { size: number; n: number }[];
  /** Parties taking part in the selection, by draw group. */
  groups: { preferred: number; other: number };
  /** Confirmed parties among all offers made (confirmed + declined + expired + still open). */
  confirmation: { confirmed: number; declined: number; expired: number; open: number };
  expiringSoon: { id: string; name: string; seats: number; deadline: string }[];
  seats: SeatOverview;
}

/** Statuses that left the selection: not counted as taking part. */
const OUT = new Set(['withdrawn', 'rejected']);
const OFFERED_EVER = new Set(['offered', 'confirmed', 'declined', 'expired']);

/** Seats by source from the offered and confirmed rows (at most capacity rows, read through the status index). */
export async function seatOverview(db: Queryable, event: Pick<Event, 'id' | 'capacity'>): Promise<SeatOverview> {
  const rows = await seatsBySource(db, event.id);
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((s, r) => s + r.seats, 0);
  const held = sum(() => true);
  return {
    capacity: event.capacity,
    invite: sum((r) => r.source === 'invite'),
    review: sum((r) => r.source === 'review'),
    draw: sum((r) => r.source === 'draw' || r.source === 'waitlist'),
    confirmed: sum((r) => r.status === 'confirmed'),
    offered: sum((r) => r.status === 'offered'),
    free: Math.max(0, event.capacity - held),
  };
}

/**
 * Every number of the event home, from the maintained counters (application_counts, application_party_counts,
 * intake_counts) and from rows bounded by the capacity (offers, tickets): never a scan of the applications.
 */
export async function loadEventOverview(deps: Deps, event: Event): Promise<EventOverview> {
  const db = deps.database.db;
  const soon = new Date(deps.clock.now().getTime() + 24 * 3_600_000).toISOString();
  const nowIso = deps.clock.now().toISOString();
  const [counts, parties, byDay, seats, tickets, expiring] = await Promise.all([
    maintainedCounts(db, event.id),
    db
      .selectFrom('application_party_counts')
      .select(['status', 'verified', 'party_size', (eb) => eb.fn.sum<number | string>('n').as('n')])
      .where('event_id', '=', event.id)
      .groupBy(['status', 'verified', 'party_size'])
      .execute(),
    receivedByDay(db, event.id),
    seatOverview(db, event),
    // Checked in = valid tickets of confirmed parties that were scanned (the Guests tab's "checked in" list).
    db
      .selectFrom('tickets')
      .innerJoin('applications', 'applications.id', 'tickets.application_id')
      .select([(eb) => eb.fn.countAll<number | string>().as('people'), (eb) => eb.fn.count<number | string>('tickets.application_id').distinct().as('parties')])
      .where('tickets.event_id', '=', event.id)
      .where('tickets.checked_in_at', 'is not', null)
      .where('tickets.voided_at', 'is', null)
      .where('applications.status', '=', 'confirmed')
      .executeTakeFirst(),
    db
      .selectFrom('applications')
      .select(['id', 'name', 'seats', 'party_size', 'offer_expires_at'])
      .where('event_id', '=', event.id)
      .where('status', '=', 'offered')
      .where('offer_expires_at', '>', nowIso)
      .where('offer_expires_at', '<=', soon)
      .orderBy('offer_expires_at')
      .limit(50)
      .execute(),
  ]);

  const tally = (f: (c: (typeof counts)[number]) => boolean): Tally =>
    counts.filter(f).reduce((s, c) => ({ parties: s.parties + c.n, people: s.people + c.people }), { parties: 0, people: 0 });
  const inSelection = (c: { status: string; verified: number }) => c.verified === 1 && !OUT.has(c.status);

  const byCountryMap = new Map<string, number>();
  for (const c of counts) byCountryMap.set(c.country, (byCountryMap.get(c.country) ?? 0) + c.n);
  const preferred = new Set(event.preferredCountries);
  const sizes = new Map<number, number>();
  for (const p of parties) if (inSelection(p)) sizes.set(p.party_size, (sizes.get(p.party_size) ?? 0) + Number(p.n));
  const status = (s: string) => tally((c) => c.status === s).parties;

  return {
    funnel: {
      applied: tally(() => true),
      verified: tally((c) => c.verified === 1),
      inSelection: tally(inSelection),
      offered: tally((c) => OFFERED_EVER.has(c.status)),
      confirmed: tally((c) => c.status === 'confirmed'),
      checkedIn: { parties: Number(tickets?.parties ?? 0), people: Number(tickets?.people ?? 0) },
    },
    byDay: byDay.map((d) => ({ day: d.day, received: d.received })),
    byCountry: [...byCountryMap].map(([country, n]) => ({ country, n })).filter((c) => c.n !== 0).sort((a, b) => b.n - a.n || a.country.localeCompare(b.country)),
    partySizes: [...sizes].filter(([, n]) => n !== 0).map(([size, n]) => ({ size, n })).sort((a, b) => a.size - b.size),
    groups: {
      preferred: tally((c) => inSelection(c) && preferred.has(c.country)).parties,
      other: tally((c) => inSelection(c) && !preferred.has(c.country)).parties,
    },
    confirmation: { confirmed: status('confirmed'), declined: status('declined'), expired: status('expired'), open: status('offered') },
    expiringSoon: expiring.map((r) => ({ id: r.id, name: r.name, seats: r.seats ?? r.party_size, deadline: r.offer_expires_at! })),
    seats,
  };
}
