import { contentFor, type Event } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import { MAX_SEATS, nextPromotions, type DrawParameters, type Entry, type FreezeRecord } from '../domain/draw/index.ts';
import type { Queryable } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { applicationFromRow, findApplicationById, type Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { eventFromRow } from '../db/repositories/events.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { lockEventSeats, makeOffers, SEAT_HOLDING_STATUSES, seatsHeld, type Offer } from './offers.ts';

/**
 * Expiry and waitlist promotion. Every change to who holds seats of an event (confirm, shrink, decline,
 * expire, promote) runs in a transaction that first locks the event row, so these changes are serialized
 * per event on every dialect and every instance: the seats are counted after the lock, then written
 * (lock late, re-check, write). The conditional UPDATEs (status = 'offered' AND deadline passed,
 * status = 'waitlisted' in makeOffers) make each step happen at most once even without the lock.
 */

/**
 * Takes the event's seat lock (offers.ts: the row lock on PostgreSQL, the write lock on SQLite) for
 * the rest of the transaction, then reads the event — after the lock, so it is current.
 */
export async function lockEvent(trx: Queryable, eventId: string): Promise<Event | null> {
  await lockEventSeats(trx, eventId);
  const row = await trx.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

/**
 * Runs `fn` in one transaction that holds the event's seat lock, with the application re-read under
 * it — lock late, re-check, write (ADR 0003). Every change to a party's seats goes through here.
 */
export async function withSeatLock<T>(
  deps: Pick<Deps, 'database'>,
  applicationId: string,
  fn: (trx: Queryable, event: Event, app: Application) => Promise<T>,
): Promise<T> {
  const first = await findApplicationById(deps.database.db, applicationId);
  if (!first) throw new AppError('application.not_found');
  return deps.database.db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, first.eventId);
    const app = await findApplicationById(trx, applicationId);
    if (!event || !app) throw new AppError('application.not_found');
    return fn(trx, event, app);
  });
}

interface PromotionRules {
  parameters: DrawParameters;
  /** Group key and weight of a frozen entry; null for an application that was not in the draw. */
  groupOf(entryId: string | null): { group: string; weight: number } | null;
}

/**
 * Without quotas, groups do not change the walk ("next party in draw order that fits"), so one
 * synthetic group stands for all and no seat bound applies but the free seats.
 */
const ONE_GROUP: DrawParameters = { seats: MAX_SEATS, groups: [{ key: 'all', weight: 1 }] };
const ALL = { group: 'all', weight: 1 };

/**
 * The frozen freeze record is immutable and can be large (one entry per application), so it is parsed
 * once per process and draw, and its entries are kept only when quotas make groups matter.
 */
const rulesCache = new Map<string, PromotionRules>();

async function promotionRules(db: Queryable, event: Event): Promise<PromotionRules> {
  const draw = await db.selectFrom('draws').select(['id', 'freeze_hash']).where('event_id', '=', event.id).executeTakeFirst();
  // No draw (invites and approvals only): everyone in one group, no quotas.
  if (!draw?.freeze_hash) return { parameters: ONE_GROUP, groupOf: () => ALL };
  const key = `${draw.id}:${draw.freeze_hash}`;
  const cached = rulesCache.get(key);
  if (cached) return cached;
  const row = await db.selectFrom('draws').select('freeze_record').where('id', '=', draw.id).executeTakeFirstOrThrow();
  const record = JSON.parse(row.freeze_record ?? '{}') as FreezeRecord;
  const quotas = record.parameters.groups.some((g) => g.minBasisPoints != null || g.maxBasisPoints != null);
  let rules: PromotionRules;
  if (!quotas) {
    rules = { parameters: ONE_GROUP, groupOf: (id) => (id ? ALL : null) };
  } else {
    const weight = new Map(record.parameters.groups.map((g) => [g.key, g.weight]));
    const groupByEntry = new Map(record.entries.map((e) => [e.id, e.group]));
    rules = {
      parameters: record.parameters,
      groupOf: (id) => {
        const group = id ? groupByEntry.get(id) : undefined;
        return group === undefined ? null : { group, weight: weight.get(group)! };
      },
    };
  }
  if (rulesCache.size >= 16) rulesCache.delete(rulesCache.keys().next().value!);
  rulesCache.set(key, rules);
  return rules;
}

/**
 * Which waitlisted parties get the free seats now, in draw order, party- and quota-aware: the draw's own
 * walk (nextPromotions) over the waitlist from the current state. Read-only.
 */
export async function planPromotions(db: Queryable, event: Event, now: Date): Promise<string[]> {
  // After the event has begun, nobody is invited any more.
  if (event.startsAt && now.toISOString() >= event.startsAt) return [];
  // Cheap checks first: most runs find no free seat.
  const seatsFree = event.capacity - (await seatsHeld(db, event.id));
  if (seatsFree <= 0) return [];
  const waitlisted = await db
    .selectFrom('applications')
    .select(['id', 'entry_id', 'party_size'])
    .where('event_id', '=', event.id)
    .where('status', '=', 'waitlisted')
    .orderBy('draw_position')
    .orderBy('id')
    .execute();
  if (!waitlisted.length) return [];

  const { parameters, groupOf } = await promotionRules(db, event);
  // Seats already held by drawn or promoted parties count towards their group's quota.
  const seatsByGroup: Record<string, number> = {};
  if (parameters !== ONE_GROUP) {
    const holders = await db
      .selectFrom('applications')
      .select(['entry_id', 'seats'])
      .where('event_id', '=', event.id)
      .where('status', 'in', [...SEAT_HOLDING_STATUSES])
      .where('entry_id', 'is not', null)
      .execute();
    for (const h of holders) {
      const g = groupOf(h.entry_id);
      if (g) seatsByGroup[g.group] = (seatsByGroup[g.group] ?? 0) + (h.seats ?? 0);
    }
  }

  // The engine wants lowercase-hex entry ids; application ids are base32, so the waitlist gets local ids.
  const entries: Entry[] = [];
  const ids = new Map<string, string>();
  waitlisted.forEach((row, i) => {
    const g = groupOf(row.entry_id);
    if (!g) return; // not part of the frozen draw: never promoted automatically
    const id = (i + 1).toString(16);
    entries.push({ id, group: g.group, weight: g.weight, partySize: row.party_size });
    ids.set(id, row.id);
  });
  const plan = nextPromotions({ waitlist: entries.map((e) => e.id) }, entries, parameters, { holding: [], seatsFree, seatsByGroup });
  return plan.promote.map((id) => ids.get(id)!);
}

/** Promotes inside the caller's transaction, which must hold the event's seat lock (lockEvent). */
export async function promoteLocked(trx: Queryable, deps: Pick<Deps, 'clock' | 'random' | 'config'>, event: Event, now: Date): Promise<Offer[]> {
  const promote = await planPromotions(trx, event, now);
  if (!promote.length) return [];
  const rows = await trx.selectFrom('applications').selectAll().where('id', 'in', promote).execute();
  const byId = new Map(rows.map((r) => [r.id, applicationFromRow(r)]));
  return makeOffers(trx, deps, promote.map((id) => byId.get(id)!), 'waitlist', now, { event });
}

/** Fills free seats of one event from its waitlist. Safe to run from any number of instances at once. */
export async function promoteWaitlist(deps: Deps, eventId: string): Promise<Offer[]> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const row = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
  // Cheap look without a lock first: most runs find nothing to do.
  if (!row || !(await planPromotions(db, eventFromRow(row), now)).length) return [];
  const offers = await db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, eventId);
    return event ? promoteLocked(trx, deps, event, now) : [];
  });
  if (offers.length) deps.afterCommit?.mailEnqueued();
  return offers;
}

export interface ExpiryRun {
  expired: number;
  promoted: number;
}

/**
 * Offers past their deadline (server clock) become 'expired' (with a mail), and the freed seats go to
 * the waitlist in the same transaction. Then every published event gets a promotion pass (a cheap
 * free-seat check first), which also picks up seats freed elsewhere (a confirmed party that withdrew).
 */
export async function expireOffersAndPromote(deps: Deps): Promise<ExpiryRun> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const due = await db
    .selectFrom('applications')
    .select('event_id')
    .distinct()
    .where('status', '=', 'offered')
    .where('offer_expires_at', '<=', nowIso)
    .execute();
  let expired = 0;
  let promoted = 0;
  for (const { event_id } of due) {
    const r = await db.transaction().execute(async (trx) => {
      const event = await lockEvent(trx, event_id);
      if (!event) return { expired: 0, promoted: 0 };
      // Re-check under the lock: a confirmation that committed first has changed the status already.
      const rows = await trx
        .updateTable('applications')
        .set({ status: 'expired', updated_at: nowIso })
        .where('event_id', '=', event_id)
        .where('status', '=', 'offered')
        .where('offer_expires_at', '<=', nowIso)
        .returning(['id', 'name', 'email', 'locale', 'seats', 'offer_source'])
        .execute();
      for (const a of rows) {
        const locale = a.locale as Locale;
        await enqueueMail(trx, {
          id: nextId(deps),
          kind: 'offer.expired',
          to: a.email,
          eventId: event_id,
          now: nowIso,
          template: { name: 'offer.expired', locale, params: { name: a.name, eventTitle: contentFor(event, locale).title } },
        });
        await appendAudit(trx, {
          id: nextId(deps),
          at: nowIso,
          actor: 'system',
          action: 'application.offer_expired',
          eventId: event_id,
          subjectId: a.id,
          data: { seats: a.seats, source: a.offer_source },
        });
      }
      const offers = await promoteLocked(trx, deps, event, now);
      return { expired: rows.length, promoted: offers.length };
    });
    expired += r.expired;
    promoted += r.promoted;
  }
  // Seats freed elsewhere (a confirmed party withdrew): one cheap free-seat check per event.
  const events = await db.selectFrom('events').select('id').where('status', '!=', 'draft').execute();
  for (const { id } of events) promoted += (await promoteWaitlist(deps, id)).length;
  if (expired || promoted) deps.afterCommit?.mailEnqueued();
  return { expired, promoted };
}
