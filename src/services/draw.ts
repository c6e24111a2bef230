import { requireEventById } from './events.ts';
import { createHmac } from 'node:crypto';
import {
  buildBundle,
  buildBundleV2,
  canonicalJson,
  commitmentOf,
  DrawInputError,
  firstRoundAfter,
  freeze,
  freezeV2,
  QUICKNET,
  roundTimeMs,
  type Beacon,
  type DrawBundleV2,
  type FreezeRecordV2,
  type PublicRandomnessV2,
  type RandomnessSource,
  type DrawBundle,
  type DrawParameters,
  type Entry,
  type FreezeRecord,
  type GroupParameters,
} from '../domain/draw/index.ts';
import { validateParameters } from '../domain/draw/validate.ts';
import { contentFor, intakeState, type Event } from '../domain/event.ts';
import { AppError } from '../errors.ts';
import { isUniqueViolation, type Queryable } from '../db/connect.ts';
import { applicationFromRow, type Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { countApplicationsByStatus } from '../db/repositories/applications.ts';
import { advanceDraw, findDrawByEventId, findDueBeaconDraws, insertDraw, setPerApplication, type DrawRecord } from '../db/repositories/draws.ts';
import { outboxRow } from '../mail/outbox.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import type { BeaconFetcher } from './beacon-fetch.ts';
import { nextId } from './ids.ts';
import { lockEventSeats, makeOffers, seatsHeld, transitionRows, WRITE_BATCH, writeSideEffects } from './offers.ts';

/**
 * The draw as a use case: commit → (applications close) → freeze → draw. The pure engine in
 * src/domain/draw decides; this module collects the entries, stores each published value, and
 * turns the result into offers and waitlist positions. Spec: docs/mechanisms/draw.md.
 */

/** Country groups: residents of the event's preferred countries, and everyone else. */
export const DRAW_GROUPS = ['preferred', 'other'] as const;
export type DrawGroupKey = (typeof DRAW_GROUPS)[number];
export const DEFAULT_GROUPS: GroupParameters[] = [
  { key: 'preferred', weight: 3, minBasisPoints: null, maxBasisPoints: null },
  { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: null },
];

/** Entry ids are pseudonymous: the first 128 bits of HMAC-SHA256(server secret, application id), hex. */
export function entryIdFor(serverSecret: string, applicationId: string): string {
  return createHmac('sha256', serverSecret).update(applicationId).digest('hex').slice(0, 32);
}

export function groupOf(event: Pick<Event, 'preferredCountries'>, country: string): DrawGroupKey {
  return event.preferredCountries.includes(country) ? 'preferred' : 'other';
}


function invalid(err: unknown): never {
  if (err instanceof DrawInputError) throw new AppError('draw.invalid', { fields: [{ field: err.path, code: 'invalid' }], message: err.message });
  throw err;
}

/** Default time of the drand round when the organizer names none: a day after applications close. */
export const DEFAULT_DRAW_DELAY_MS = 24 * 3_600_000;
/** The public draw page calls a drand draw overdue when it has not run this long after its round. */
export const OVERDUE_AFTER_MS = 10 * 60_000;

/** Where the draw's public randomness comes from: a drand round (verified), or an explicitly unverified source. */
export type RandomnessChoice = { kind: 'drand'; drawAt?: string | null } | { kind: 'unverified'; label: string };

export interface CommitParams {
  /** Default: drand quicknet, the first round at or after drawAt (default: a day after applications close). */
  randomness?: RandomnessChoice;
  /** Older callers: a non-empty label names an unverified source. */
  publicRandomnessLabel?: string | null;
  /** Weights and optional quotas per group, fixed now (default: preferred 3, other 1, no quotas). */
  groups?: GroupInput[];
}

interface CommittedParameters {
  seats: number;
  groups: GroupParameters[];
}

function normalizeGroups(groups: GroupInput[] | undefined): GroupParameters[] {
  return (groups?.length ? groups : DEFAULT_GROUPS).map((g) => ({
    key: g.key,
    weight: g.weight,
    minBasisPoints: g.minBasisPoints ?? null,
    maxBasisPoints: g.maxBasisPoints ?? null,
  }));
}

/** The drand round a commitment names: the first round at or after the chosen time, strictly after the planned freeze. */
function chooseRound(event: Event, now: Date, drawAt: string | null | undefined): number {
  const close = event.applicationsCloseAt ? Date.parse(event.applicationsCloseAt) : now.getTime();
  const earliest = Math.max(now.getTime(), close);
  const at = drawAt ? Date.parse(drawAt) : earliest + DEFAULT_DRAW_DELAY_MS;
  if (!Number.isFinite(at) || at <= earliest) {
    throw new AppError('validation.failed', { fields: [{ field: 'draw_at', code: 'draw_after_close' }] });
  }
  return firstRoundAfter(QUICKNET, at - 1);
}

/**
 * Step 1: the organizer commits to a secret of 32 random bytes; only its SHA-256 is published
 * (with the time). Allowed any time before the freeze, once: a second secret would let the
 * organizer choose between outcomes. Everything else the result depends on is fixed here too
 * (ADR 0011): the public randomness (a drand round after the planned freeze, or an explicitly
 * unverified source), the weights and quotas, and the number of seats.
 */
export async function commitDraw(deps: Deps, actor: string, eventId: string, opts: CommitParams = {}): Promise<DrawRecord> {
  const { db } = deps.database;
  const event = await requireEventById(db, eventId);
  const existing = await findDrawByEventId(db, event.id);
  if (existing) throw new AppError(existing.status === 'committed' ? 'draw.already_committed' : 'draw.already_frozen');
  const legacyLabel = opts.publicRandomnessLabel?.trim() || null;
  const choice: RandomnessChoice = opts.randomness ?? (legacyLabel ? { kind: 'unverified', label: legacyLabel } : { kind: 'drand' });
  const now = deps.clock.now();
  let source: RandomnessSource;
  let label: string;
  if (choice.kind === 'unverified') {
    label = choice.label?.trim() ?? '';
    if (!label) throw new AppError('validation.failed', { fields: [{ field: 'publicRandomnessLabel', code: 'required' }] });
    if (label.length > 500) throw new AppError('validation.failed', { fields: [{ field: 'publicRandomnessLabel', code: 'too_long', params: { max: 500 } }] });
    source = { kind: 'unverified', label };
  } else {
    const round = chooseRound(event, now, choice.drawAt);
    source = { kind: 'drand', chain: QUICKNET.hash, round };
    label = `${QUICKNET.name} round ${round}`;
  }
  const groups = normalizeGroups(opts.groups);
  checkFreezeGroups(groups);
  const seats = Math.max(0, event.capacity - (await seatsHeld(db, event.id)));
  const parameters: CommittedParameters = { seats, groups };
  const secret = deps.random.bytes(32).toString('hex');
  const commitment = commitmentOf(secret);
  const nowIso = now.toISOString();
  const id = nextId(deps);
  await db.transaction().execute(async (trx) => {
    await insertDraw(trx, {
      id,
      eventId: event.id,
      commitment,
      secret,
      committedAt: nowIso,
      publicRandomnessLabel: label,
      randomnessKind: source.kind,
      beaconChain: source.kind === 'drand' ? source.chain : null,
      beaconRound: source.kind === 'drand' ? source.round : null,
      committedParameters: JSON.stringify(parameters),
    });
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action: 'draw.committed',
      eventId: event.id,
      subjectId: id,
      data: { commitment, publicRandomnessLabel: label, publicRandomness: source, parameters },
    });
  }).catch((err) => {
    // The unique event_id lost a race with a concurrent commit.
    if (isUniqueViolation(err)) throw new AppError('draw.already_committed');
    throw err;
  });
  return (await findDrawByEventId(db, event.id))!;
}

/** The source a format-/2 draw named at its commitment. */
export function randomnessSourceOf(draw: DrawRecord): RandomnessSource | null {
  if (draw.randomnessKind === 'drand') return { kind: 'drand', chain: draw.beaconChain!, round: draw.beaconRound! };
  if (draw.randomnessKind === 'unverified') return { kind: 'unverified', label: draw.publicRandomnessLabel! };
  return null;
}

/** When a drand draw's round is produced (ms), or null for other draws. */
export function beaconTimeMs(draw: Pick<DrawRecord, 'randomnessKind' | 'beaconRound'>): number | null {
  return draw.randomnessKind === 'drand' && draw.beaconRound !== null ? roundTimeMs(QUICKNET, draw.beaconRound) : null;
}

export interface GroupInput {
  key: string;
  weight: number;
  minBasisPoints?: number | null;
  maxBasisPoints?: number | null;
}

export interface FreezeParams {
  /** Weights and optional quotas per group (default: preferred 3, other 1, no quotas). */
  groups?: GroupInput[];
  /** Names public randomness now, if none was named at the commitment. */
  publicRandomnessLabel?: string | null;
  /**
   * Leave applications on hold out of the entry list, explicitly. Without it the freeze is refused while any
   * application is held: a hold must not take someone out of the draw without a decision.
   */
  excludeHeld?: boolean;
}

/** Applications of the event on hold now (from the maintained counters: no scan). */
export async function countHeld(db: Queryable, eventId: string): Promise<number> {
  const row = await db
    .selectFrom('application_counts')
    .select((eb) => eb.fn.sum<number | string | null>('n').as('n'))
    .where('event_id', '=', eventId)
    .where('status', '=', 'held')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Step 2, after applications close: the entry list and every parameter are fixed and hashed.
 * Entries are the verified applications still in the pool (status 'submitted'); withdrawn, held,
 * rejected and already offered ones are not drawn. Seats = capacity − seats already held by
 * invites and approvals. Refused while applications are on hold unless `excludeHeld` says to leave
 * them out; how many were left out is stored with the draw and in the audit entry.
 */
export async function freezeDraw(deps: Deps, actor: string, eventId: string, params: FreezeParams = {}): Promise<DrawRecord> {
  const { db } = deps.database;
  const event = await requireEventById(db, eventId);
  const now = deps.clock.now();
  const draw = await findDrawByEventId(db, event.id);
  if (!draw) throw new AppError('draw.not_committed');
  if (draw.status !== 'committed') throw new AppError(draw.status === 'frozen' ? 'draw.already_frozen' : 'draw.already_drawn');
  if (intakeState(event, now) !== 'closed') throw new AppError('draw.intake_open');

  const source = randomnessSourceOf(draw);
  const committed = draw.committedParameters ? (JSON.parse(draw.committedParameters) as CommittedParameters) : null;
  let groups: GroupParameters[];
  if (committed) {
    // Fixed at the commitment: the freeze may repeat them, never change them.
    groups = committed.groups;
    if (params.groups?.length && canonicalJson(normalizeGroups(params.groups)) !== canonicalJson(groups)) throw new AppError('draw.parameters_fixed');
    if (params.publicRandomnessLabel?.trim()) throw new AppError('draw.parameters_fixed');
  } else {
    groups = normalizeGroups(params.groups);
  }
  const weightOf = new Map(groups.map((g) => [g.key, g.weight]));
  for (const k of DRAW_GROUPS) if (!weightOf.has(k)) throw new AppError('draw.invalid', { fields: [{ field: `groups.${k}`, code: 'required' }] });
  const label = draw.publicRandomnessLabel ?? (params.publicRandomnessLabel?.trim() || null);
  const nowIso = now.toISOString();
  const roundAt = beaconTimeMs(draw);
  // The round must not exist yet when the entries are fixed: otherwise whoever knows the secret could predict the result.
  if (roundAt !== null && now.getTime() >= roundAt) throw new AppError('draw.round_passed');

  return db.transaction().execute(async (trx) => {
    // Lock late: the seats are read under the event's seat lock, inside the transaction that fixes them.
    await lockEventSeats(trx, event.id);
    const seatsTaken = await seatsHeld(trx, event.id);
    const free = Math.max(0, event.capacity - seatsTaken);
    if (committed && free < committed.seats) throw new AppError('draw.seats_changed', { details: { committed: committed.seats, free } });
    const parameters: DrawParameters = { seats: committed ? committed.seats : free, groups };
    const rows = await trx
      .selectFrom('applications')
      .select(['id', 'country', 'party_size'])
      .where('event_id', '=', event.id)
      .where('status', '=', 'submitted')
      .where('verified', '=', 1)
      .execute();
    const ids: [string, string][] = [];
    const entries: Entry[] = rows.map((r) => {
      const id = entryIdFor(deps.config.secret, r.id);
      ids.push([r.id, id]);
      const group = groupOf(event, r.country);
      return { id, group, weight: weightOf.get(group)!, partySize: r.party_size };
    });
    let frozen: { record: FreezeRecord | FreezeRecordV2; freezeHash: string };
    try {
      const common = { event: eventMetadata(event), parameters, entries, commitment: draw.commitment, committedAt: draw.committedAt, frozenAt: nowIso };
      frozen = source ? freezeV2({ ...common, publicRandomness: source }) : freeze({ ...common, publicRandomnessLabel: label });
    } catch (err) {
      invalid(err);
    }
    // Settings first, then people: under the seat lock every review decision takes too, so no hold can slip in
    // between this count and the freeze.
    const held = await countHeld(trx, event.id);
    if (held > 0 && !params.excludeHeld) throw new AppError('draw.held_pending', { details: { held } });
    const exclusions = await exclusionsAt(trx, event.id);
    const ok = await advanceDraw(trx, draw.id, 'committed', {
      status: 'frozen',
      frozen_at: nowIso,
      freeze_hash: frozen.freezeHash,
      freeze_record: JSON.stringify(frozen.record),
      public_randomness_label: label,
      held_excluded: held || null,
      exclusions: JSON.stringify(exclusions),
    });
    if (!ok) throw new AppError('draw.already_frozen');
    await setPerApplication(trx, 'entry_id', ids, { updatedAt: nowIso });
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action: 'draw.frozen',
      eventId: event.id,
      subjectId: draw.id,
      data: { freezeHash: frozen.freezeHash, entries: entries.length, seats: parameters.seats, groups, publicRandomnessLabel: label, heldExcluded: held || undefined, exclusions },
    });
    return {
      ...draw,
      status: 'frozen' as const,
      frozenAt: nowIso,
      freezeHash: frozen.freezeHash,
      freezeRecord: JSON.stringify(frozen.record),
      publicRandomnessLabel: label,
      heldExcluded: held || null,
      exclusions: JSON.stringify(exclusions),
    };
  });
}

/** Applications that are not entries, counted by reason (published with the freeze; no names). */
export interface Exclusions {
  /** On hold, left out with the organizer's explicit consent. */
  held: number;
  rejected: number;
  withdrawn: number;
  /** Email address never confirmed. */
  unverified: number;
  /** Already hold seats (invited or approved before the draw): they are not drawn. */
  seated: number;
}

async function exclusionsAt(db: Queryable, eventId: string): Promise<Exclusions> {
  const out: Exclusions = { held: 0, rejected: 0, withdrawn: 0, unverified: 0, seated: 0 };
  for (const c of await countApplicationsByStatus(db, eventId)) {
    if (c.status === 'held') out.held += c.n;
    else if (c.status === 'rejected') out.rejected += c.n;
    else if (c.status === 'withdrawn') out.withdrawn += c.n;
    else if (c.status === 'submitted') {
      if (!c.verified) out.unverified += c.n;
    } else out.seated += c.n;
  }
  return out;
}

/**
 * The freeze's group parameters checked as freezeDraw will check them, without freezing (the confirmation page
 * asks only about valid settings). Throws AppError('draw.invalid') with the engine's field paths.
 */
export function checkFreezeGroups(groups: GroupInput[] | undefined): void {
  const normalized = normalizeGroups(groups);
  try {
    validateParameters({ seats: 0, groups: normalized }, 'parameters');
  } catch (err) {
    invalid(err);
  }
}

/** Entries of a frozen draw still in the pool, per language: who the draw will mail, in which language. */
export async function entriesByLocale(db: Queryable, eventId: string): Promise<{ locale: string; n: number; seats: number }[]> {
  const rows = await db
    .selectFrom('applications')
    .select(['locale', (eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.min<number>('party_size').as('seats')])
    .where('event_id', '=', eventId)
    .where('status', '=', 'submitted')
    .where('entry_id', 'is not', null)
    .groupBy('locale')
    .orderBy('locale')
    .execute();
  return rows.map((r) => ({ locale: r.locale, n: Number(r.n), seats: Number(r.seats) }));
}

/** Public, non-personal description of the event carried in the bundle. */
function eventMetadata(event: Event) {
  return { slug: event.slug, title: contentFor(event, event.defaultLocale).title, capacity: event.capacity };
}

export interface DrawOutcome {
  bundle: DrawBundle | DrawBundleV2;
  offers: number;
  waitlisted: number;
}

/**
 * Step 3: reveal the secret, derive the seed, run the engine, publish the bundle — and in the same
 * transaction give every selected party an offer (makeOffer 'draw') and every other entry its
 * waitlist position, each with its mail. An entry whose application left the pool after the freeze
 * (withdrawn, held, rejected) keeps its place in the published result but gets nothing; the seats
 * it would have held are free for waitlist promotion.
 */
export async function runDraw(
  deps: Deps,
  actor: string,
  eventId: string,
  opts: { publicRandomnessValue?: string | null; beacon?: Beacon; excludeHeld?: boolean } = {},
): Promise<DrawOutcome> {
  const { db } = deps.database;
  const event = await requireEventById(db, eventId);
  const draw = await findDrawByEventId(db, event.id, { withRecords: true });
  if (!draw) throw new AppError('draw.not_committed');
  if (draw.status === 'committed') throw new AppError('draw.not_frozen');
  if (draw.status === 'drawn') throw new AppError('draw.already_drawn');
  const value = opts.publicRandomnessValue?.trim() ?? '';
  const source = randomnessSourceOf(draw);
  let bundle: DrawBundle | DrawBundleV2;
  if (source) {
    // admit-draw/2: nothing is left to choose, so an application held after the freeze does not stop the draw
    // (it keeps its place in the published result and gets nothing, like a withdrawn one).
    opts = { ...opts, excludeHeld: true };
    let pr: PublicRandomnessV2;
    if (source.kind === 'drand') {
      if (!opts.beacon) throw new AppError('draw.randomness_required');
      if (opts.beacon.round !== source.round) throw new AppError('draw.beacon_invalid', { details: { round: source.round } });
      pr = { ...source, signature: opts.beacon.signature };
    } else {
      if (!value) throw new AppError('draw.randomness_required');
      pr = { ...source, value };
    }
    const record = JSON.parse(draw.freezeRecord!) as FreezeRecordV2;
    try {
      bundle = buildBundleV2({
        event: record.event,
        parameters: record.parameters,
        entries: record.entries,
        secret: draw.secret,
        committedAt: record.committedAt,
        frozenAt: record.frozenAt,
        publicRandomness: pr,
        commitment: draw.commitment,
        freezeHash: draw.freezeHash!,
      });
    } catch (err) {
      if (err instanceof DrawInputError && err.path.startsWith('publicRandomness')) throw new AppError('draw.beacon_invalid', { details: { round: pr.kind === 'drand' ? pr.round : undefined } });
      invalid(err);
    }
  } else {
    if (draw.publicRandomnessLabel && !value) throw new AppError('draw.randomness_required');
    const record = JSON.parse(draw.freezeRecord!) as FreezeRecord;
    try {
      bundle = buildBundle({
        event: record.event,
        parameters: record.parameters,
        entries: record.entries,
        secret: draw.secret,
        committedAt: record.committedAt,
        frozenAt: record.frozenAt,
        publicRandomness: draw.publicRandomnessLabel ? { label: draw.publicRandomnessLabel, value } : null,
        commitment: draw.commitment,
        freezeHash: draw.freezeHash!,
      });
    } catch (err) {
      invalid(err);
    }
  }
  const now = deps.clock.now();
  const nowIso = now.toISOString();

  const outcome = await db.transaction().execute(async (trx) => {
    await lockEventSeats(trx, event.id);
    // A hold placed after the freeze takes an entry out of the result: only with the organizer's explicit consent.
    const held = await countHeld(trx, event.id);
    if (held > 0 && !opts.excludeHeld) throw new AppError('draw.held_pending', { details: { held } });
    const ok = await advanceDraw(trx, draw.id, 'frozen', {
      status: 'drawn',
      drawn_at: nowIso,
      bundle: JSON.stringify(bundle),
      result_hash: bundle.resultHash,
      public_randomness_value: publishedValue(bundle),
    });
    if (!ok) throw new AppError('draw.already_drawn');

    const rows = await trx.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('entry_id', 'is not', null).execute();
    const byEntry = new Map<string, Application>();
    for (const r of rows) byEntry.set(r.entry_id!, applicationFromRow(r));

    const positions: [string, number][] = [];
    bundle.result.order.forEach((entryId, i) => {
      const a = byEntry.get(entryId);
      if (a) positions.push([a.id, i]);
    });
    await setPerApplication(trx, 'draw_position', positions, { updatedAt: nowIso });

    const selected = bundle.result.selected.map((id) => byEntry.get(id)).filter((a): a is Application => a?.status === 'submitted');
    const offers = await makeOffers(trx, deps, selected, 'draw', now, { event, actor });
    const waitlisted = await markWaitlisted(trx, deps, event, bundle.result.waitlist, byEntry, nowIso, actor);

    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor,
      action: 'draw.drawn',
      eventId: event.id,
      subjectId: draw.id,
      data: {
        resultHash: bundle.resultHash,
        selected: bundle.result.selected.length,
        waitlist: bundle.result.waitlist.length,
        offers: offers.length,
        waitlisted,
        heldExcluded: held || undefined,
      },
    });
    return { bundle, offers: offers.length, waitlisted };
  });
  deps.afterCommit?.mailEnqueued();
  return outcome;
}

/** The public randomness as shown on the draw page: a drand round's signature, or the unverified value. */
function publishedValue(bundle: DrawBundle | DrawBundleV2): string | null {
  const pr = bundle.publicRandomness;
  if (pr === null) return null;
  return 'signature' in pr ? pr.signature : pr.value;
}

/**
 * The scheduler's draw job (safe with several instances): every frozen drand draw whose round is due runs itself
 * with the round fetched from a drand relay. Two instances may fetch the same round; the conditional
 * advance in runDraw lets exactly one of them draw, the other finds 'draw.already_drawn' and does nothing.
 * Without network (fetch returns null) the draw waits — the public page shows it as overdue — until
 * someone pastes the round on the selection page. Returns how many draws this call ran.
 */
export async function drawDueDraws(deps: Deps, fetchBeacon: BeaconFetcher | null): Promise<number> {
  if (!fetchBeacon) return 0;
  const now = deps.clock.now().getTime();
  const latest = firstRoundAfter(QUICKNET, now) - 1;
  let ran = 0;
  for (const due of await findDueBeaconDraws(deps.database.db, latest)) {
    const beacon = await fetchBeacon(QUICKNET, due.round);
    if (!beacon) continue;
    try {
      await runDraw(deps, 'system', due.eventId, { beacon });
      ran++;
    } catch (err) {
      if (err instanceof AppError && err.code === 'draw.already_drawn') continue;
      throw err;
    }
  }
  return ran;
}

/** Everyone not drawn, in draw order: status 'waitlisted' and a mail with the 1-based waitlist position. */
async function markWaitlisted(
  trx: Queryable,
  deps: Deps,
  event: Event,
  waitlist: readonly string[],
  byEntry: Map<string, Application>,
  nowIso: string,
  actor: string,
): Promise<number> {
  const position = new Map<string, number>();
  const apps: Application[] = [];
  waitlist.forEach((entryId, i) => {
    const a = byEntry.get(entryId);
    if (a?.status !== 'submitted') return;
    position.set(a.id, i + 1);
    apps.push(a);
  });
  let changedCount = 0;
  for (let i = 0; i < apps.length; i += WRITE_BATCH) {
    const chunk = apps.slice(i, i + WRITE_BATCH);
    const changed = await transitionRows(trx, chunk, () => 0, () => ({ status: 'waitlisted', updated_at: nowIso }));
    changedCount += changed.size;
    await writeSideEffects(
      trx,
      chunk.filter((a) => changed.has(a.id)),
      (a) => {
        const token = newToken(deps.random);
        const pos = position.get(a.id)!;
        return {
          link: { token_hash: hashToken(token), application_id: a.id, created_at: nowIso },
          mail: outboxRow({
            id: nextId(deps),
            kind: 'draw.waitlisted',
            to: a.email,
            eventId: event.id,
            now: nowIso,
            template: {
              name: 'draw.waitlisted',
              locale: a.locale,
              params: { name: a.name, eventTitle: contentFor(event, a.locale).title, url: `${deps.config.publicUrl}/a/${token}`, position: pos },
            },
          }),
          audit: { id: nextId(deps), at: nowIso, actor, action: 'application.waitlisted', event_id: event.id, subject_id: a.id, data: JSON.stringify({ position: pos }) },
        };
      },
    );
  }
  return changedCount;
}

export interface GroupSummary {
  key: string;
  weight: number;
  minBasisPoints: number | null;
  maxBasisPoints: number | null;
  entries: number;
  people: number;
  /** After the draw: parties selected, seats they got, entries on the waitlist. */
  selected?: number;
  seatsDrawn?: number;
  waitlist?: number;
}

/** What the public draw page shows; every value is either published already or non-personal. */
export interface PublicDrawState {
  status: 'none' | DrawRecord['status'];
  commitment?: string;
  committedAt?: string;
  publicRandomnessLabel?: string | null;
  /** admit-draw/2: the seats fixed at the commitment (weights and quotas: committedGroups). */
  committedSeats?: number;
  committedGroups?: GroupParameters[];
  /** heldExcluded: applications on hold the organizer explicitly left out of the entry list (not who: a count). */
  frozen?: {
    at: string;
    freezeHash: string;
    entries: number;
    seats: number;
    groups: GroupSummary[];
    heldExcluded: number;
    /** admit-draw/2: the secret is public from the freeze on, so anyone can compute the result once the round exists. */
    secret?: string;
    /** Applications that are not entries, by reason (format /2 draws). */
    exclusions?: Exclusions;
  };
  /** admit-draw/2: the named source; for drand the round, its time, and whether the draw is overdue. */
  randomness?: { kind: 'drand'; chain: string; chainName: string; round: number; at: string; overdue: boolean } | { kind: 'unverified'; label: string };
  drawn?: { at: string; resultHash: string; secret: string; seed: string; publicRandomnessValue: string | null; selected: number; waitlist: number };
}

/**
 * Per-group counts come from the stored freeze record or bundle (megabytes for big draws), so
 * they are computed once per draw state and kept: both are immutable once written.
 */
const summaries = new Map<string, { groups: GroupSummary[]; entries: number; seats: number; seed?: string; selected?: number; waitlist?: number }>();

function summarize(parameters: DrawParameters, entries: readonly Entry[], bundle?: DrawBundle | DrawBundleV2) {
  const groups: GroupSummary[] = parameters.groups.map((g) => ({
    key: g.key,
    weight: g.weight,
    minBasisPoints: g.minBasisPoints ?? null,
    maxBasisPoints: g.maxBasisPoints ?? null,
    entries: 0,
    people: 0,
    ...(bundle ? { selected: 0, seatsDrawn: bundle.result.seatsByGroup[g.key] ?? 0, waitlist: 0 } : {}),
  }));
  const index = new Map(groups.map((g, i) => [g.key, i]));
  const groupOfEntry = new Map<string, number>();
  for (const e of entries) {
    const g = groups[index.get(e.group)!];
    g.entries++;
    g.people += e.partySize;
    if (bundle) groupOfEntry.set(e.id, index.get(e.group)!);
  }
  if (bundle) {
    for (const id of bundle.result.selected) groups[groupOfEntry.get(id)!].selected!++;
    for (const id of bundle.result.waitlist) groups[groupOfEntry.get(id)!].waitlist!++;
  }
  return { groups, entries: entries.length, seats: parameters.seats };
}

export async function publicDrawState(deps: Deps, eventId: string): Promise<PublicDrawState> {
  const { db } = deps.database;
  const draw = await findDrawByEventId(db, eventId);
  if (!draw) return { status: 'none' };
  const state: PublicDrawState = {
    status: draw.status,
    commitment: draw.commitment,
    committedAt: draw.committedAt,
    publicRandomnessLabel: draw.publicRandomnessLabel,
  };
  const source = randomnessSourceOf(draw);
  if (draw.committedParameters) {
    const p = JSON.parse(draw.committedParameters) as CommittedParameters;
    state.committedSeats = p.seats;
    state.committedGroups = p.groups;
  }
  if (source?.kind === 'drand') {
    const at = roundTimeMs(QUICKNET, source.round);
    const overdue = draw.status === 'frozen' && deps.clock.now().getTime() > at + OVERDUE_AFTER_MS;
    state.randomness = { kind: 'drand', chain: source.chain, chainName: QUICKNET.name, round: source.round, at: new Date(at).toISOString(), overdue };
  } else if (source) {
    state.randomness = source;
  }
  if (draw.status === 'committed') return state;
  const key = `${draw.id}:${draw.status}`;
  let s = summaries.get(key);
  if (!s) {
    const full = await findDrawByEventId(db, eventId, { withRecords: true });
    if (draw.status === 'drawn') {
      const bundle = JSON.parse(full!.bundle!) as DrawBundle | DrawBundleV2;
      s = { ...summarize(bundle.parameters, bundle.entries, bundle), seed: bundle.seed, selected: bundle.result.selected.length, waitlist: bundle.result.waitlist.length };
    } else {
      const record = JSON.parse(full!.freezeRecord!) as FreezeRecord | FreezeRecordV2;
      s = summarize(record.parameters, record.entries);
    }
    if (summaries.size > 200) summaries.delete(summaries.keys().next().value!);
    summaries.set(key, s);
  }
  state.frozen = { at: draw.frozenAt!, freezeHash: draw.freezeHash!, entries: s.entries, seats: s.seats, groups: s.groups, heldExcluded: draw.heldExcluded ?? 0 };
  if (source) {
    state.frozen.secret = draw.secret;
    if (draw.exclusions) state.frozen.exclusions = JSON.parse(draw.exclusions) as Exclusions;
  }
  if (draw.status === 'drawn') {
    state.drawn = {
      at: draw.drawnAt!,
      resultHash: draw.resultHash!,
      secret: draw.secret,
      seed: s.seed!,
      publicRandomnessValue: draw.publicRandomnessValue,
      selected: s.selected!,
      waitlist: s.waitlist!,
    };
  }
  return state;
}

/**
 * The published entry list of a frozen draw: the freeze record in canonical JSON — exactly the bytes whose
 * SHA-256 is the freeze hash, so anyone can check the download against the hash published on the draw page.
 * Pseudonymous: entry ids, groups, weights and party sizes only. Null before the freeze.
 */
export async function publishedEntryList(db: Queryable, eventId: string): Promise<string | null> {
  const draw = await findDrawByEventId(db, eventId, { withRecords: true });
  if (!draw?.freezeRecord) return null;
  return canonicalJson(JSON.parse(draw.freezeRecord));
}
