import type { Queryable } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { parseDoorCode } from '../domain/door-code.ts';
import { hashToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { normalizeTicketCode } from './tickets.ts';
import { looksSigned, parseSignedTicket } from '../domain/signed-ticket.ts';
import { findDoorKey, verifySignedTicket } from './door-keys.ts';

/**
 * Check-in at the door (pretix's habit: idempotent, and a refusal says why). A ticket is valid when it
 * belongs to this event, is not voided and its party is still confirmed. The first scan stamps
 * checked_in_at with a conditional UPDATE (… AND checked_in_at IS NULL), so two doors scanning the same
 * code at once admit it once; every later scan answers "already checked in at <time>" — except the same scan
 * sent again (the client's scan id), which gets its first answer again: a retry after a network failure must
 * not turn the guest at the door away.
 */
export type CheckInOutcome = 'admitted' | 'already_checked_in' | 'unknown' | 'other_event' | 'not_valid' | 'bad_check';

export interface CheckInResult {
  outcome: CheckInOutcome;
  ticketId: string | null;
  holderName: string | null;
  /** When the ticket was (first) checked in. */
  checkedInAt: string | null;
}

export interface CheckInCounts {
  /** Valid tickets (people) expected. */
  expected: number;
  arrived: number;
}

const none = (outcome: CheckInOutcome): CheckInResult => ({ outcome, ticketId: null, holderName: null, checkedInAt: null });

async function ticketByTokenHash(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.event_id', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.checked_in_scan', 'tickets.voided_at', 'applications.status'])
    .where('tickets.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

async function ticketByDoorCode(db: Queryable, eventId: string, doorCode: string) {
  return db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.event_id', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.checked_in_scan', 'tickets.voided_at', 'applications.status'])
    .where('tickets.door_code', '=', doorCode)
    .where('tickets.event_id', '=', eventId)
    .executeTakeFirst();
}

/** The event of a typed door code when the client did not say (API): null when no or several events have it. */
export async function eventOfDoorCode(db: Queryable, code: string): Promise<string | null> {
  const parsed = parseDoorCode(code);
  if (!parsed.ok) return null;
  const rows = await db.selectFrom('tickets').select('event_id').where('door_code', '=', parsed.code).limit(2).execute();
  return rows.length === 1 ? rows[0].event_id : null;
}

async function ticketById(db: Queryable, id: string) {
  return db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.event_id', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.checked_in_scan', 'tickets.voided_at', 'applications.status'])
    .where('tickets.id', '=', id)
    .executeTakeFirst();
}

type TicketRow = NonNullable<Awaited<ReturnType<typeof ticketById>>>;

/** A scan id made by the client (door page, scanner, API): printable, short. */
export function validScanId(scan: unknown): string | null {
  return typeof scan === 'string' && /^[\w-]{8,64}$/.test(scan) ? scan : null;
}

async function admit(deps: Deps, eventId: string, ticket: TicketRow | undefined, staffId: string, via: 'code' | 'door_code' | 'list', scan: string | null): Promise<CheckInResult> {
  if (!ticket) return none('unknown');
  const base = { ticketId: ticket.id, holderName: ticket.holder_name };
  if (ticket.event_id !== eventId) return { outcome: 'other_event', ...base, checkedInAt: null };
  if (ticket.voided_at || ticket.status !== 'confirmed') return { outcome: 'not_valid', ...base, checkedInAt: null };
  const replay = (t: { checked_in_at: string | null; checked_in_scan: string | null }): CheckInResult | null =>
    t.checked_in_at
      ? // The same scan again (its answer was lost on the way): the same answer. Any other scan: refused.
        { outcome: scan && t.checked_in_scan === scan ? 'admitted' : 'already_checked_in', ...base, checkedInAt: t.checked_in_at }
      : null;
  const earlier = replay(ticket);
  if (earlier) return earlier;
  const nowIso = deps.clock.now().toISOString();
  const admitted = await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('tickets')
      .set({ checked_in_at: nowIso, checked_in_by: staffId, checked_in_scan: scan })
      .where('id', '=', ticket.id)
      .where('checked_in_at', 'is', null)
      .where('voided_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: staffId, action: 'ticket.checked_in', eventId, subjectId: ticket.id, data: { via } });
    return true;
  });
  if (admitted) return { outcome: 'admitted', ...base, checkedInAt: nowIso };
  // Lost the race with another door (or the ticket was voided meanwhile): report what is true now.
  const now = await ticketById(deps.database.db, ticket.id);
  return (now && replay(now)) ?? { outcome: 'not_valid', ...base, checkedInAt: null };
}

/**
 * A scanned or typed code: the QR token (or a URL ending in it), or the short door code printed under the QR
 * code (any case, with or without hyphens). A door code whose check symbol does not match is a typo: refused
 * as `bad_check`, never looked up. `scan`: the client's id of this scan, the same when it retries (see admit).
 */
export async function checkInByCode(deps: Deps, eventId: string, code: string, staffId: string, scan: string | null = null): Promise<CheckInResult> {
  const door = parseDoorCode(code);
  if (door.ok) return admit(deps, eventId, await ticketByDoorCode(deps.database.db, eventId, door.code), staffId, 'door_code', validScanId(scan));
  if (door.reason === 'bad_check') return none('bad_check');
  const text = normalizeTicketCode(code);
  if (looksSigned(text)) {
    // A signed QR payload (ADR 0015): only its event's key makes it valid; a forged one is an unknown ticket.
    const ticketId = await signedTicketId(deps.database.db, text);
    if (!ticketId) return none('unknown');
    return admit(deps, eventId, await ticketById(deps.database.db, ticketId), staffId, 'code', validScanId(scan));
  }
  const token = normalizeTicketCode(code);
  if (token.length < 20 || token.length > 100) return none('unknown');
  return admit(deps, eventId, await ticketByTokenHash(deps.database.db, hashToken(token)), staffId, 'code', validScanId(scan));
}

/** The ticket id of a payload signed by its own event's key, or null (forged, malformed). admit() then checks the event. */
export async function signedTicketId(db: Queryable, text: string): Promise<string | null> {
  const eventId = parseSignedTicket(text)?.eventId;
  const key = eventId ? await findDoorKey(db, eventId) : null;
  return key && eventId ? (verifySignedTicket(key.publicKey, eventId, text)?.ticketId ?? null) : null;
}

/** A ticket picked from the name search (door staff are signed in, so the id is enough). */
export async function checkInByTicketId(deps: Deps, eventId: string, ticketId: string, staffId: string, scan: string | null = null): Promise<CheckInResult> {
  return admit(deps, eventId, await ticketById(deps.database.db, ticketId), staffId, 'list', validScanId(scan));
}

export async function checkInCounts(db: Queryable, eventId: string): Promise<CheckInCounts> {
  const row = await db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select((eb) => [eb.fn.countAll<number>().as('expected'), eb.fn.count<number>('tickets.checked_in_at').as('arrived')])
    .where('tickets.event_id', '=', eventId)
    .where('tickets.voided_at', 'is', null)
    .where('applications.status', '=', 'confirmed')
    .executeTakeFirst();
  return { expected: Number(row?.expected ?? 0), arrived: Number(row?.arrived ?? 0) };
}

export interface TicketSearchHit {
  id: string;
  holderName: string;
  checkedInAt: string | null;
  /** Everyone with a valid ticket in the same party (this ticket included), in party order. */
  party: { id: string; holderName: string; checkedInAt: string | null }[];
}

/** Valid tickets whose holder's name contains the query (case-insensitive), for the door's fallback. */
export async function searchTickets(db: Queryable, eventId: string, query: string, limit = 20): Promise<TicketSearchHit[]> {
  const q = query.trim().toLowerCase();
  if (q.length < 2) return [];
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.application_id'])
    .where('tickets.event_id', '=', eventId)
    .where('tickets.voided_at', 'is', null)
    .where('applications.status', '=', 'confirmed')
    .where((eb) => eb(eb.fn('lower', ['tickets.holder_name']), 'like', like))
    .orderBy('tickets.holder_name')
    .limit(limit)
    .execute();
  // The whole party of every hit, in one query: the door sees who else belongs and who is in already.
  const appIds = [...new Set(rows.map((r) => r.application_id))];
  const members = appIds.length
    ? await db
        .selectFrom('tickets')
        .select(['id', 'holder_name', 'checked_in_at', 'application_id'])
        .where('application_id', 'in', appIds)
        .where('voided_at', 'is', null)
        .orderBy('application_id')
        .orderBy('position')
        .execute()
    : [];
  const party = (appId: string) =>
    members.filter((m) => m.application_id === appId).map((m) => ({ id: m.id, holderName: m.holder_name, checkedInAt: m.checked_in_at }));
  return rows.map((r) => ({ id: r.id, holderName: r.holder_name, checkedInAt: r.checked_in_at, party: party(r.application_id) }));
}
