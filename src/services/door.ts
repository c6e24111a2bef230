import { createHash } from 'node:crypto';
import type { Queryable } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { parseDoorCode } from '../domain/door-code.ts';
import { looksSigned } from '../domain/signed-ticket.ts';
import { AppError } from '../errors.ts';
import { hashToken, newToken } from '../platform/random.ts';
import { validScanId } from './checkin.ts';
import type { Deps } from './deps.ts';
import { ensureDoorKey, findDoorKey, verifySignedTicket } from './door-keys.ts';
import { nextId } from './ids.ts';
import { normalizeTicketCode } from './tickets.ts';
import { can } from './users.ts';
import { mayActOnEvent } from './teams.ts';

/**
 * The offline door (issue 15, ADR 0015): registered devices, the door list they sync, the scans they report
 * (at once when online, from their queue when the network returns) and what the organizer sees of it.
 *
 * A device decides offline; the server reconciles. Every reported scan is kept (door_scans, unique per device
 * and client scan id, so a resent queue changes nothing). The ticket's check-in is still the one conditional
 * UPDATE … WHERE checked_in_at IS NULL, so a guest counts once however many devices admitted them; a device
 * that admitted offline a guest whom another device had already admitted — or whose party had meanwhile
 * declined — gets its scan kept as a `conflict`, which the organizer's conflict report lists.
 */

export interface DoorDevice {
  id: string;
  eventId: string;
  name: string;
  door: string;
  registeredBy: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
}

type DeviceRow = { id: string; event_id: string; name: string; door: string; registered_by: string; created_at: string; last_seen_at: string | null; revoked_at: string | null; revoked_reason: string | null };

const toDevice = (r: DeviceRow): DoorDevice => ({
  id: r.id,
  eventId: r.event_id,
  name: r.name,
  door: r.door,
  registeredBy: r.registered_by,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
});

/** How much older than "now" a sync cursor is set: a ticket committed while a sync read is never missed. */
export const CURSOR_OVERLAP_MS = 30_000;
/** How often last_seen_at is written at most (every poll would be a write per device every few seconds). */
const SEEN_EVERY_MS = 30_000;

/** The typed door code as a device finds it: 80 bits of SHA-256 over event and code (no list of codes on a phone). */
export function doorCodeHash(eventId: string, code: string): string {
  return createHash('sha256').update(`${eventId}:${code}`).digest('hex').slice(0, 20);
}

const cleanLabel = (s: string, max: number) => s.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, max);

/** A staff member with the door permission registers this phone for one event; the device keeps the token. */
export async function registerDoorDevice(
  deps: Deps,
  actor: { id: string; role: string },
  eventId: string,
  input: { name: string; door: string },
): Promise<{ device: DoorDevice; token: string }> {
  const name = cleanLabel(input.name, 60);
  const door = cleanLabel(input.door, 60);
  const fields = [...(name ? [] : [{ field: 'name', code: 'required' }]), ...(door ? [] : [{ field: 'door', code: 'required' }])];
  if (fields.length) throw new AppError('validation.failed', { fields });
  const token = newToken(deps.random);
  const nowIso = deps.clock.now().toISOString();
  const row: DeviceRow & { token_hash: string } = {
    id: nextId(deps),
    event_id: eventId,
    name,
    door,
    token_hash: hashToken(token),
    registered_by: actor.id,
    created_at: nowIso,
    last_seen_at: nowIso,
    revoked_at: null,
    revoked_reason: null,
  };
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('door_devices').values(row).execute();
    await ensureDoorKey(trx, deps, eventId);
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: actor.id, action: 'door.device_registered', eventId, subjectId: row.id, data: { name, door } });
  });
  return { device: toDevice(row), token };
}

/**
 * The device behind a bearer token. Refused (401) when unknown or revoked, and when the staff member who
 * registered it may no longer check people in at this event (disabled, role changed, taken off the team).
 */
export async function authenticateDoorDevice(deps: Deps, token: string): Promise<DoorDevice> {
  const { db } = deps.database;
  const row = await db.selectFrom('door_devices').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row) throw new AppError('auth.required');
  if (row.revoked_at) throw new AppError('door.device_revoked');
  const user = await db.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', row.registered_by).executeTakeFirst();
  if (!user || user.disabled || !can(user.role, 'checkIn') || !(await mayActOnEvent(deps, user, row.event_id))) throw new AppError('door.device_revoked');
  const now = deps.clock.now();
  if (!row.last_seen_at || now.getTime() - Date.parse(row.last_seen_at) > SEEN_EVERY_MS) {
    await db.updateTable('door_devices').set({ last_seen_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return toDevice(row);
}

/** An organizer revokes a device, or the device signs itself out: its token stops working at once. */
export async function revokeDoorDevice(deps: Deps, actorId: string, eventId: string, deviceId: string, reason: 'revoked' | 'signed_out'): Promise<boolean> {
  const nowIso = deps.clock.now().toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('door_devices')
      .set({ revoked_at: nowIso, revoked_reason: reason })
      .where('id', '=', deviceId)
      .where('event_id', '=', eventId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: actorId, action: reason === 'revoked' ? 'door.device_revoked' : 'door.device_signed_out', eventId, subjectId: deviceId });
    return true;
  });
}

export interface DoorDeviceSummary extends DoorDevice {
  admitted: number;
  conflicts: number;
}

export async function listDoorDevices(db: Queryable, eventId: string): Promise<DoorDeviceSummary[]> {
  const rows = await db.selectFrom('door_devices').selectAll().where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
  const counts = await db
    .selectFrom('door_scans')
    .select((eb) => ['device_id', 'outcome', eb.fn.countAll<number>().as('n')])
    .where('event_id', '=', eventId)
    .where('outcome', 'in', ['admitted', 'conflict'])
    .groupBy(['device_id', 'outcome'])
    .execute();
  const count = (id: string, outcome: string) => Number(counts.find((c) => c.device_id === id && c.outcome === outcome)?.n ?? 0);
  return rows.map((r) => ({ ...toDevice(r), admitted: count(r.id, 'admitted'), conflicts: count(r.id, 'conflict') }));
}

export async function setOfflineNames(deps: Deps, actorId: string, eventId: string, allowed: boolean): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await ensureDoorKey(trx, deps, eventId);
    await trx.updateTable('event_door_keys').set({ offline_names: allowed ? 1 : 0 }).where('event_id', '=', eventId).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: actorId, action: 'door.offline_names', eventId, data: { allowed } });
  });
}

/** One ticket in a device's list: [id, code hash, party id, position, party size, state, name?]. */
export type DoorListTicket = [string, string, string, number, number, DoorTicketState, string?];
/** 0 valid, 1 checked in, 2 not valid (voided, or the party is no longer confirmed). */
export type DoorTicketState = 0 | 1 | 2;

export interface DoorList {
  event: { id: string; publicKey: string; offlineNames: boolean };
  device: { id: string; name: string; door: string };
  /** Pass back as `since` for the next sync: only what changed after it. */
  cursor: string;
  /** true: the whole list (replace); false: changes only (merge). */
  full: boolean;
  tickets: DoorListTicket[];
}

/**
 * What a device needs at the door, and nothing more: ticket ids, door-code hashes, party, state — names only
 * when the organizer allows an offline name search; never emails or answers. Without `since`, the whole
 * list; with it, tickets issued, voided, declined or checked in (by any device or the web door) since then.
 */
export async function doorListFor(deps: Deps, device: DoorDevice, since: string | null): Promise<DoorList> {
  const { db } = deps.database;
  const key = await ensureDoorKey(db, deps, device.eventId);
  const now = deps.clock.now();
  const cursor = new Date(now.getTime() - CURSOR_OVERLAP_MS).toISOString();
  const sinceIso = since && !Number.isNaN(Date.parse(since)) ? new Date(since).toISOString() : null;
  const base = () =>
    db
      .selectFrom('tickets')
      .innerJoin('applications', 'applications.id', 'tickets.application_id')
      .select(['tickets.id', 'tickets.door_code', 'tickets.application_id', 'tickets.position', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.voided_at', 'applications.status'])
      .where('tickets.event_id', '=', device.eventId);
  let rows: Awaited<ReturnType<ReturnType<typeof base>['execute']>>;
  if (!sinceIso) rows = await base().execute();
  else {
    // Four index probes (every device polls every few seconds: no scan of the event's tickets), then the rows.
    const changed = db.selectFrom('tickets').select('id').where('event_id', '=', device.eventId);
    const found = await Promise.all([
      changed.where('created_at', '>=', sinceIso).execute(),
      changed.where('voided_at', '>=', sinceIso).execute(),
      changed.where('checked_in_at', '>=', sinceIso).execute(),
      // A device's offline scan carries its own (earlier) time: what matters is when the server learnt it.
      db.selectFrom('door_scans').select('ticket_id as id').where('event_id', '=', device.eventId).where('received_at', '>=', sinceIso).where('ticket_id', 'is not', null).execute(),
    ]);
    const ids = [...new Set(found.flat().map((r) => r.id as string))];
    rows = [];
    for (let i = 0; i < ids.length; i += 500) rows.push(...(await base().where('tickets.id', 'in', ids.slice(i, i + 500)).execute()));
  }
  // Party size at the door = valid tickets of the party (a party may have confirmed fewer seats than it asked for).
  const partySizes = new Map<string, number>();
  for (const r of rows) if (!r.voided_at && r.status === 'confirmed') partySizes.set(r.application_id, (partySizes.get(r.application_id) ?? 0) + 1);
  if (sinceIso && rows.length) {
    const ids = [...new Set(rows.map((r) => r.application_id))];
    partySizes.clear();
    for (let i = 0; i < ids.length; i += 500) {
      const counted = await db
        .selectFrom('tickets')
        .select((eb) => ['application_id', eb.fn.countAll<number>().as('n')])
        .where('application_id', 'in', ids.slice(i, i + 500))
        .where('voided_at', 'is', null)
        .groupBy('application_id')
        .execute();
      for (const c of counted) partySizes.set(c.application_id, Number(c.n));
    }
  }
  const tickets = rows.map((r): DoorListTicket => {
    const state: DoorTicketState = r.voided_at || r.status !== 'confirmed' ? 2 : r.checked_in_at ? 1 : 0;
    const t: DoorListTicket = [r.id, r.door_code ? doorCodeHash(device.eventId, r.door_code) : '', r.application_id, r.position, partySizes.get(r.application_id) ?? 0, state];
    if (key.offlineNames) t.push(r.holder_name);
    return t;
  });
  return { event: { id: device.eventId, publicKey: key.publicKey, offlineNames: key.offlineNames }, device: { id: device.id, name: device.name, door: device.door }, cursor, full: !sinceIso, tickets };
}

export interface DoorScanInput {
  /** The client's scan id (unique per device). */
  scan: string;
  /** What was scanned or typed (signed QR payload, old token or door code) — or `ticket` for a name-search pick. */
  code?: string;
  ticket?: string;
  /** Device time of the scan. */
  at: string;
  /** The device decided without the network (and admitted). */
  offline: boolean;
}

export type DoorScanOutcome = 'admitted' | 'already' | 'conflict' | 'refused';

export interface DoorScanResult {
  scan: string;
  outcome: DoorScanOutcome;
  ticketId: string | null;
  holderName: string | null;
  /** When the ticket was first checked in (admitted: this scan's time). */
  checkedInAt: string | null;
}

async function ticketOf(db: Queryable, where: { id?: string; eventId: string; doorCode?: string; tokenHash?: string }) {
  let q = db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .select(['tickets.id', 'tickets.event_id', 'tickets.holder_name', 'tickets.checked_in_at', 'tickets.voided_at', 'applications.status']);
  if (where.id) q = q.where('tickets.id', '=', where.id);
  if (where.doorCode) q = q.where('tickets.door_code', '=', where.doorCode).where('tickets.event_id', '=', where.eventId);
  if (where.tokenHash) q = q.where('tickets.token_hash', '=', where.tokenHash);
  const row = await q.executeTakeFirst();
  return row && row.event_id === where.eventId ? row : undefined;
}

async function resolveTicket(deps: Deps, eventId: string, s: DoorScanInput): Promise<{ ticket: Awaited<ReturnType<typeof ticketOf>>; via: string }> {
  const { db } = deps.database;
  if (s.ticket) return { ticket: await ticketOf(db, { id: s.ticket, eventId }), via: 'list' };
  const code = normalizeTicketCode(s.code ?? '');
  const door = parseDoorCode(code);
  if (door.ok) return { ticket: await ticketOf(db, { doorCode: door.code, eventId }), via: 'door_code' };
  if (looksSigned(code)) {
    const key = await findDoorKey(db, eventId);
    const signed = key ? verifySignedTicket(key.publicKey, eventId, code) : null;
    return { ticket: signed ? await ticketOf(db, { id: signed.ticketId, eventId }) : undefined, via: 'signed' };
  }
  const token = normalizeTicketCode(code);
  if (token.length < 20 || token.length > 100) return { ticket: undefined, via: 'code' };
  return { ticket: await ticketOf(db, { tokenHash: hashToken(token), eventId }), via: 'code' };
}

const isUniqueViolation = (e: unknown) => /UNIQUE|unique|duplicate key/.test(String((e as Error)?.message ?? '')) || (e as { code?: string })?.code === '23505';

async function storedScan(db: Queryable, deviceId: string, scanId: string): Promise<DoorScanResult | null> {
  const row = await db
    .selectFrom('door_scans')
    .leftJoin('tickets', 'tickets.id', 'door_scans.ticket_id')
    .select(['door_scans.scan_id', 'door_scans.outcome', 'door_scans.ticket_id', 'tickets.holder_name', 'tickets.checked_in_at'])
    .where('door_scans.device_id', '=', deviceId)
    .where('door_scans.scan_id', '=', scanId)
    .executeTakeFirst();
  return row ? { scan: row.scan_id, outcome: row.outcome as DoorScanOutcome, ticketId: row.ticket_id, holderName: row.holder_name, checkedInAt: row.checked_in_at } : null;
}

/**
 * One scan from a device, idempotent by (device, scan id): a resent scan gets its stored answer and changes
 * nothing. Lock late, re-check, write: the ticket's check-in is a conditional UPDATE; the scan row is inserted
 * in the same transaction, and a concurrent resend of the same scan loses on the unique key and reads the winner's.
 */
export async function recordDoorScan(deps: Deps, device: DoorDevice, s: DoorScanInput): Promise<DoorScanResult> {
  const scanId = validScanId(s.scan);
  if (!scanId) throw new AppError('validation.failed', { fields: [{ field: 'scan', code: 'invalid' }] });
  const { db } = deps.database;
  const earlier = await storedScan(db, device.id, scanId);
  if (earlier) return earlier;
  const { ticket, via } = await resolveTicket(deps, device.eventId, s);
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  // The device's clock may be off: never later than our receipt, and a malformed time is the receipt time.
  const at = Date.parse(s.at);
  const scannedAt = Number.isNaN(at) || at > now.getTime() ? nowIso : new Date(at).toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      let outcome: DoorScanOutcome;
      let checkedInAt: string | null = null;
      if (!ticket) outcome = 'refused';
      else if (ticket.voided_at || ticket.status !== 'confirmed') outcome = s.offline ? 'conflict' : 'refused';
      else {
        const res = await trx
          .updateTable('tickets')
          .set({ checked_in_at: scannedAt, checked_in_by: device.registeredBy, checked_in_scan: scanId })
          .where('id', '=', ticket.id)
          .where('checked_in_at', 'is', null)
          .where('voided_at', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) {
          outcome = 'admitted';
          checkedInAt = scannedAt;
        } else {
          outcome = s.offline ? 'conflict' : 'already';
          checkedInAt = (await trx.selectFrom('tickets').select('checked_in_at').where('id', '=', ticket.id).executeTakeFirst())?.checked_in_at ?? null;
        }
      }
      await trx
        .insertInto('door_scans')
        .values({
          id: nextId(deps),
          event_id: device.eventId,
          device_id: device.id,
          scan_id: scanId,
          ticket_id: ticket?.id ?? null,
          via,
          outcome,
          offline: s.offline ? 1 : 0,
          scanned_at: scannedAt,
          received_at: nowIso,
        })
        .execute();
      if (outcome === 'admitted' || outcome === 'conflict') {
        await appendAudit(trx, {
          id: nextId(deps),
          at: nowIso,
          actor: device.registeredBy,
          action: outcome === 'admitted' ? 'ticket.checked_in' : 'door.conflict',
          eventId: device.eventId,
          subjectId: ticket!.id,
          data: { via, device: device.id, offline: s.offline, scannedAt },
        });
      }
      return { scan: scanId, outcome, ticketId: ticket?.id ?? null, holderName: ticket?.holder_name ?? null, checkedInAt };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const winner = await storedScan(db, device.id, scanId);
    if (!winner) throw e;
    return winner;
  }
}

/** A device's queue (or one online scan), in order. */
export async function recordDoorScans(deps: Deps, device: DoorDevice, scans: readonly DoorScanInput[]): Promise<DoorScanResult[]> {
  const out: DoorScanResult[] = [];
  for (const s of scans) out.push(await recordDoorScan(deps, device, s));
  return out;
}

export interface DoorConflict {
  ticketId: string;
  holderName: string;
  /** The scan that was kept but did not count. */
  late: { device: string; door: string; scannedAt: string; receivedAt: string; reason: 'twice' | 'not_valid' };
  /** The check-in that counted (null: the ticket was not valid, or it was checked in on the web door page). */
  first: { device: string; door: string; scannedAt: string } | null;
}

/** The organizer's conflict report: every kept scan that admitted a guest offline who did not count. */
export async function doorConflicts(db: Queryable, eventId: string): Promise<DoorConflict[]> {
  const rows = await db
    .selectFrom('door_scans')
    .innerJoin('door_devices', 'door_devices.id', 'door_scans.device_id')
    .innerJoin('tickets', 'tickets.id', 'door_scans.ticket_id')
    .select(['door_scans.ticket_id', 'door_scans.scanned_at', 'door_scans.received_at', 'door_devices.name', 'door_devices.door', 'tickets.holder_name', 'tickets.voided_at', 'tickets.checked_in_at'])
    .where('door_scans.event_id', '=', eventId)
    .where('door_scans.outcome', '=', 'conflict')
    .orderBy('door_scans.received_at', 'desc')
    .limit(500)
    .execute();
  const ids = [...new Set(rows.map((r) => r.ticket_id!))];
  const firsts = ids.length
    ? await db
        .selectFrom('door_scans')
        .innerJoin('door_devices', 'door_devices.id', 'door_scans.device_id')
        .select(['door_scans.ticket_id', 'door_scans.scanned_at', 'door_devices.name', 'door_devices.door'])
        .where('door_scans.ticket_id', 'in', ids)
        .where('door_scans.outcome', '=', 'admitted')
        .execute()
    : [];
  return rows.map((r) => {
    const f = firsts.find((x) => x.ticket_id === r.ticket_id);
    return {
      ticketId: r.ticket_id!,
      holderName: r.holder_name,
      late: { device: r.name, door: r.door, scannedAt: r.scanned_at, receivedAt: r.received_at, reason: r.checked_in_at ? 'twice' : 'not_valid' },
      first: f ? { device: f.name, door: f.door, scannedAt: f.scanned_at } : null,
    };
  });
}

export interface DoorBoard {
  expected: number;
  arrived: number;
  /** Admissions per door label; check-ins on the web door page are under door null. */
  byDoor: { door: string | null; arrived: number }[];
  /** Check-ins per 5 minutes (bucket start, ISO), oldest first; empty before the first guest. */
  perFiveMinutes: { at: string; arrived: number }[];
  conflicts: number;
}

const FIVE_MINUTES = 5 * 60_000;

export async function doorBoard(db: Queryable, eventId: string): Promise<DoorBoard> {
  const valid = db
    .selectFrom('tickets')
    .innerJoin('applications', 'applications.id', 'tickets.application_id')
    .where('tickets.event_id', '=', eventId)
    .where('tickets.voided_at', 'is', null)
    .where('applications.status', '=', 'confirmed');
  const counts = await valid.select((eb) => [eb.fn.countAll<number>().as('expected'), eb.fn.count<number>('tickets.checked_in_at').as('arrived')]).executeTakeFirst();
  const times = await valid.select('tickets.checked_in_at').where('tickets.checked_in_at', 'is not', null).execute();
  const doors = await db
    .selectFrom('door_scans')
    .innerJoin('door_devices', 'door_devices.id', 'door_scans.device_id')
    .select((eb) => ['door_devices.door', eb.fn.countAll<number>().as('n')])
    .where('door_scans.event_id', '=', eventId)
    .where('door_scans.outcome', '=', 'admitted')
    .groupBy('door_devices.door')
    .orderBy('door_devices.door')
    .execute();
  const conflicts = await db
    .selectFrom('door_scans')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('event_id', '=', eventId)
    .where('outcome', '=', 'conflict')
    .executeTakeFirst();
  const arrived = Number(counts?.arrived ?? 0);
  const byDoor: DoorBoard['byDoor'] = doors.map((d) => ({ door: d.door, arrived: Number(d.n) }));
  const viaDevices = byDoor.reduce((s, d) => s + d.arrived, 0);
  if (arrived > viaDevices) byDoor.push({ door: null, arrived: arrived - viaDevices });
  const buckets = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(Date.parse(t.checked_in_at!) / FIVE_MINUTES) * FIVE_MINUTES;
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  const perFiveMinutes: DoorBoard['perFiveMinutes'] = [];
  if (buckets.size) {
    const keys = [...buckets.keys()];
    const first = Math.min(...keys);
    const last = Math.max(...keys);
    // A long night has many buckets; the board shows the last 48 (four hours) with the gaps as zeros.
    for (let b = Math.max(first, last - 47 * FIVE_MINUTES); b <= last; b += FIVE_MINUTES) perFiveMinutes.push({ at: new Date(b).toISOString(), arrived: buckets.get(b) ?? 0 });
  }
  return { expected: Number(counts?.expected ?? 0), arrived, byDoor, perFiveMinutes, conflicts: Number(conflicts?.n ?? 0) };
}
