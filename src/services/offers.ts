import { offerDeadline, needsReminder } from '../domain/deadlines.ts';
import { contentFor, type Event } from '../domain/event.ts';
import { sql, type SqlBool } from 'kysely';
import type { Queryable } from '../db/connect.ts';
import type { ApplicationUpdate } from '../db/schema.ts';
import type { Application } from '../db/repositories/applications.ts';
import { findEventById } from '../db/repositories/events.ts';
import { AppError } from '../errors.ts';
import { formatDateTime } from '../i18n/index.ts';
import { outboxRow } from '../mail/outbox.ts';
import type { OfferSource } from '../mail/selection-mails.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

export type { OfferSource } from '../mail/selection-mails.ts';

/** Statuses whose seats count against capacity. */
export const SEAT_HOLDING_STATUSES = ['offered', 'confirmed'] as const;

/** A party that already holds seats cannot get a second offer. */
const NOT_OFFERABLE = new Set<string>(SEAT_HOLDING_STATUSES);

/** Rows per multi-row INSERT/UPDATE: well under SQLite's 32,766 bound variables and PostgreSQL's 65,535. */
export const WRITE_BATCH = 500;

export interface OfferOptions {
  /** The event, when the caller already has it (saves a query per offer in big batches). */
  event?: Event;
  /** Who made the offer, for the audit log (default 'system'). */
  actor?: string;
  /** The organizer's own deadline for this offer (UTC ISO); default: the event's rules (domain/deadlines.ts). */
  expiresAt?: string | null;
}

export interface Offer {
  applicationId: string;
  seats: number;
  expiresAt: string;
  /** The fresh status-page link mailed with the offer (the token itself is stored only hashed). */
  url: string;
}

/**
 * The one way an application gets seats (invite, review approval, draw, waitlist promotion):
 * status 'offered', seats = party size, a deadline by the event's rules (domain/deadlines.ts), a localized mail
 * "you are invited/selected — confirm by <deadline>" with a fresh status-page link, and the audit
 * row `application.offered`, all in the caller's transaction.
 *
 * Lock late, re-check, write: the update only applies while the row still has the status the
 * caller read (`application.status`). If it changed meanwhile (withdrawn, already offered, …),
 * nothing is written and null is returned; the caller decides whether that is an error.
 */
export async function makeOffer(
  trx: Queryable,
  deps: Pick<Deps, 'clock' | 'random' | 'config'>,
  application: Application,
  source: OfferSource,
  now: Date,
  opts: OfferOptions = {},
): Promise<Offer | null> {
  const [offer] = await makeOffers(trx, deps, [application], source, now, opts);
  return offer ?? null;
}

/**
 * makeOffer for many applications of ONE event at once (the draw): batched writes, same effect
 * as calling makeOffer for each. Returns the offers actually made (rows whose status changed
 * meanwhile are skipped).
 */
export async function makeOffers(
  trx: Queryable,
  deps: Pick<Deps, 'clock' | 'random' | 'config'>,
  applications: readonly Application[],
  source: OfferSource,
  now: Date,
  opts: OfferOptions = {},
): Promise<Offer[]> {
  if (applications.length === 0) return [];
  const eventId = applications[0].eventId;
  if (applications.some((a) => a.eventId !== eventId)) throw new Error('makeOffers: applications of one event only');
  const event = opts.event ?? (await findEventById(trx, eventId));
  if (!event) throw new AppError('event.not_found');
  const nowIso = now.toISOString();
  const expiresAt = offerDeadline(event, source, now, opts.expiresAt);
  // Short windows get no separate reminder: the offer mail is recent enough (marked as reminded at once).
  const remindedAt = needsReminder(expiresAt, now) ? null : nowIso;

  const candidates = applications.filter((a) => !NOT_OFFERABLE.has(a.status));
  const deadline = new Map<string, string>(); // Intl formatters are costly: one per locale
  const offers: Offer[] = [];
  // Chunk by chunk, so a big draw never holds all rendered mails in memory at once.
  for (let i = 0; i < candidates.length; i += WRITE_BATCH) {
    const chunk = candidates.slice(i, i + WRITE_BATCH);
    // Conditional update per (expected status, party size); only rows that really changed get mail and audit.
    const changed = await transitionRows(trx, chunk, (a) => a.partySize, (seats) => ({
      status: 'offered',
      offer_source: source,
      seats,
      offer_expires_at: expiresAt,
      offer_reminded_at: remindedAt,
      updated_at: nowIso,
    }));
    await writeSideEffects(
      trx,
      chunk.filter((a) => changed.has(a.id)),
      (a) => {
        const token = newToken(deps.random);
        const url = `${deps.config.publicUrl}/a/${token}`;
        if (!deadline.has(a.locale)) deadline.set(a.locale, formatDateTime(expiresAt, a.locale, event.timezone));
        offers.push({ applicationId: a.id, seats: a.partySize, expiresAt, url });
        return {
          link: { token_hash: hashToken(token), application_id: a.id, created_at: nowIso },
          mail: outboxRow({
            id: nextId(deps),
            kind: `offer.${source}`,
            to: a.email,
            eventId: event.id,
            now: nowIso,
            template: {
              name: 'offer',
              locale: a.locale,
              params: { name: a.name, eventTitle: contentFor(event, a.locale).title, url, deadline: deadline.get(a.locale)!, seats: a.partySize, source },
            },
          }),
          audit: {
            id: nextId(deps),
            at: nowIso,
            actor: opts.actor ?? 'system',
            action: 'application.offered',
            event_id: event.id,
            subject_id: a.id,
            data: JSON.stringify({ source, seats: a.partySize, expiresAt }),
          },
        };
      },
    );
  }
  return offers;
}

/**
 * `status = s`, written so that SQLite's planner keeps to the primary key for `id IN (…500 ids)`
 * instead of walking a status index (measured 8× slower on 100k rows). Same result on PostgreSQL.
 */
export const statusIs = (status: string) => sql<SqlBool>`${sql.ref('applications.status')} || '' = ${status}`;

/**
 * Conditional transition of up to WRITE_BATCH rows: each row changes only if it still has the
 * status the caller read (`a.status`). Rows are grouped by that status and by `key(a)` (values that
 * differ per row, e.g. seats). Returns the ids that changed.
 */
export async function transitionRows<K>(
  trx: Queryable,
  rows: readonly Application[],
  key: (a: Application) => K,
  set: (k: K) => ApplicationUpdate,
): Promise<Set<string>> {
  const groups = new Map<string, { status: string; k: K; ids: string[] }>();
  for (const a of rows) {
    const k = key(a);
    const g = `${a.status}\u0000${String(k)}`;
    if (!groups.has(g)) groups.set(g, { status: a.status, k, ids: [] });
    groups.get(g)!.ids.push(a.id);
  }
  const changed = new Set<string>();
  for (const { status, k, ids } of groups.values()) {
    const res = await trx.updateTable('applications').set(set(k)).where('id', 'in', ids).where(statusIs(status)).returning('id').execute();
    for (const r of res) changed.add(r.id);
  }
  return changed;
}

interface SideEffects {
  link: { token_hash: string; application_id: string; created_at: string };
  mail: ReturnType<typeof outboxRow>;
  audit: { id: string; at: string; actor: string; action: string; event_id: string; subject_id: string; data: string };
}

/** Per changed row: a fresh status-page link, a mail and an audit row, inserted as three multi-row INSERTs. */
export async function writeSideEffects(trx: Queryable, rows: readonly Application[], make: (a: Application) => SideEffects): Promise<void> {
  const made = rows.map(make);
  await insertBatched(trx, 'application_links', made.map((m) => m.link));
  await insertBatched(trx, 'outbox', made.map((m) => m.mail));
  await insertBatched(trx, 'audit_log', made.map((m) => m.audit));
}

/** Multi-row inserts in chunks (shared by the draw for its waitlist writes). */
export async function insertBatched<T extends 'application_links' | 'ticket_links' | 'outbox' | 'audit_log'>(
  trx: Queryable,
  table: T,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await trx.insertInto(table).values(rows.slice(i, i + WRITE_BATCH) as any).execute();
  }
}

/** Seats currently held against capacity: the sum of `seats` over offered and confirmed parties. */
export async function seatsHeld(db: Queryable, eventId: string): Promise<number> {
  const row = await db
    .selectFrom('applications')
    .select((eb) => eb.fn.sum<number | string | null>('seats').as('n'))
    .where('event_id', '=', eventId)
    .where('status', 'in', [...SEAT_HOLDING_STATUSES])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Serializes everything that hands out seats for one event (invites, approvals, the draw, waitlist
 * promotion, confirmations): a no-op UPDATE of the event row takes its row lock in PostgreSQL
 * (and the write lock in SQLite) until the transaction ends. Lock late, then re-check, then write.
 */
export async function lockEventSeats(trx: Queryable, eventId: string): Promise<void> {
  await trx.updateTable('events').set((eb) => ({ capacity: eb.ref('capacity') })).where('id', '=', eventId).execute();
}

/**
 * For seats given outside the draw (invites, approvals): under the event lock, refuses while a
 * frozen draw waits to run (its number of seats is fixed and published) and when capacity would
 * be exceeded.
 */
export async function assertSeatsAvailable(trx: Queryable, event: Pick<Event, 'id' | 'capacity'>, seatsWanted: number): Promise<void> {
  await lockEventSeats(trx, event.id);
  const draw = await trx.selectFrom('draws').select('status').where('event_id', '=', event.id).executeTakeFirst();
  if (draw?.status === 'frozen') throw new AppError('draw.frozen');
  const held = await seatsHeld(trx, event.id);
  if (held + seatsWanted > event.capacity) {
    throw new AppError('selection.no_seats', { details: { free: Math.max(0, event.capacity - held), wanted: seatsWanted } });
  }
}
