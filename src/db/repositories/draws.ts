import { sql } from 'kysely';
import type { Queryable } from '../connect.ts';
import type { DrawsTable } from '../schema.ts';

export interface DrawRecord {
  id: string;
  eventId: string;
  status: DrawsTable['status'];
  commitment: string;
  /** Stays server-side until the draw; published in the bundle afterwards. */
  secret: string;
  committedAt: string;
  publicRandomnessLabel: string | null;
  publicRandomnessValue: string | null;
  frozenAt: string | null;
  freezeHash: string | null;
  /** JSON text of the FreezeRecord. */
  freezeRecord: string | null;
  /** JSON text of the audit bundle. */
  bundle: string | null;
  resultHash: string | null;
  drawnAt: string | null;
  /** Held applications explicitly left out at the freeze (null: none were held). */
  heldExcluded: number | null;
  /** admit-draw/2: where the public randomness comes from (null: a draw of format /1). */
  randomnessKind: 'drand' | 'unverified' | null;
  beaconChain: string | null;
  beaconRound: number | null;
  /** JSON {seats, groups} fixed at the commitment (format /2). */
  committedParameters: string | null;
  /** JSON of the exclusions counted at the freeze. */
  exclusions: string | null;
}

const COLUMNS = [
  'id', 'event_id', 'status', 'commitment', 'secret', 'committed_at', 'public_randomness_label', 'public_randomness_value',
  'frozen_at', 'freeze_hash', 'result_hash', 'drawn_at', 'held_excluded',
  'randomness_kind', 'beacon_chain', 'beacon_round', 'committed_parameters', 'exclusions',
] as const;

type Row = Pick<DrawsTable, (typeof COLUMNS)[number]> & Partial<Pick<DrawsTable, 'freeze_record' | 'bundle'>>;

function fromRow(r: Row): DrawRecord {
  return {
    id: r.id,
    eventId: r.event_id,
    status: r.status,
    commitment: r.commitment,
    secret: r.secret,
    committedAt: r.committed_at,
    publicRandomnessLabel: r.public_randomness_label,
    publicRandomnessValue: r.public_randomness_value,
    frozenAt: r.frozen_at,
    freezeHash: r.freeze_hash,
    freezeRecord: r.freeze_record ?? null,
    bundle: r.bundle ?? null,
    resultHash: r.result_hash,
    drawnAt: r.drawn_at,
    heldExcluded: r.held_excluded,
    randomnessKind: r.randomness_kind,
    beaconChain: r.beacon_chain,
    beaconRound: r.beacon_round === null ? null : Number(r.beacon_round),
    committedParameters: r.committed_parameters,
    exclusions: r.exclusions,
  };
}

/**
 * The draw of an event. The large JSON columns (freeze record, bundle: megabytes for big draws)
 * are only read when asked for.
 */
export async function findDrawByEventId(db: Queryable, eventId: string, opts: { withRecords?: boolean } = {}): Promise<DrawRecord | null> {
  const row = await db
    .selectFrom('draws')
    .select([...COLUMNS, ...(opts.withRecords ? (['freeze_record', 'bundle'] as const) : [])])
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row ? fromRow(row as Row) : null;
}

/** The published bundle as stored (JSON text), or null before the draw. */
export async function findBundleJson(db: Queryable, eventId: string): Promise<string | null> {
  const row = await db.selectFrom('draws').select('bundle').where('event_id', '=', eventId).executeTakeFirst();
  return row?.bundle ?? null;
}

export async function insertDraw(
  db: Queryable,
  d: {
    id: string;
    eventId: string;
    commitment: string;
    secret: string;
    committedAt: string;
    publicRandomnessLabel: string | null;
    randomnessKind?: 'drand' | 'unverified' | null;
    beaconChain?: string | null;
    beaconRound?: number | null;
    committedParameters?: string | null;
  },
) {
  await db
    .insertInto('draws')
    .values({
      id: d.id,
      event_id: d.eventId,
      status: 'committed',
      commitment: d.commitment,
      secret: d.secret,
      committed_at: d.committedAt,
      public_randomness_label: d.publicRandomnessLabel,
      public_randomness_value: null,
      frozen_at: null,
      freeze_hash: null,
      freeze_record: null,
      bundle: null,
      result_hash: null,
      drawn_at: null,
      randomness_kind: d.randomnessKind ?? null,
      beacon_chain: d.beaconChain ?? null,
      beacon_round: d.beaconRound ?? null,
      committed_parameters: d.committedParameters ?? null,
    })
    .execute();
}

/** Frozen drand draws whose round is due (its number at most `round`), oldest round first. */
export async function findDueBeaconDraws(db: Queryable, round: number, limit = 20): Promise<{ id: string; eventId: string; round: number }[]> {
  const rows = await db
    .selectFrom('draws')
    .select(['id', 'event_id', 'beacon_round'])
    .where('status', '=', 'frozen')
    .where('randomness_kind', '=', 'drand')
    .where('beacon_round', '<=', round)
    .orderBy('beacon_round')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, eventId: r.event_id, round: Number(r.beacon_round) }));
}

/** Moves the draw from one status to the next; false when it was not in `from` any more (lost a race). */
export async function advanceDraw(
  db: Queryable,
  id: string,
  from: DrawsTable['status'],
  set: Partial<Omit<DrawsTable, 'id' | 'event_id'>>,
): Promise<boolean> {
  const res = await db.updateTable('draws').set(set).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

const BULK = 500;

/**
 * Sets a different value per application, one statement per batch:
 *   WITH v(id, val) AS (VALUES (?, ?), …) UPDATE applications SET col = v.val FROM v WHERE applications.id = v.id
 * UPDATE … FROM runs on PostgreSQL and SQLite ≥ 3.33; the CAST gives PostgreSQL the value's type.
 */
export async function setPerApplication(
  db: Queryable,
  column: 'entry_id' | 'draw_position',
  values: readonly (readonly [id: string, value: string | number])[],
  extra: { updatedAt: string },
): Promise<void> {
  const type = column === 'draw_position' ? sql.raw('integer') : sql.raw('text');
  for (let i = 0; i < values.length; i += BULK) {
    const chunk = values.slice(i, i + BULK);
    const rows = sql.join(chunk.map(([id, v]) => sql`(${id}, cast(${v} as ${type}))`));
    await sql`with v(id, val) as (values ${rows})
      update applications set ${sql.ref(column)} = v.val, updated_at = ${extra.updatedAt}
      from v where applications.id = v.id`.execute(db);
  }
}

/** Seats held per offer source, and how many of them are confirmed (for the organizer's overview). */
export async function seatsBySource(db: Queryable, eventId: string): Promise<{ source: string; status: string; seats: number }[]> {
  const rows = await db
    .selectFrom('applications')
    .select(['offer_source', 'status', (eb) => eb.fn.sum<number | string>('seats').as('seats')])
    .where('event_id', '=', eventId)
    .where('status', 'in', ['offered', 'confirmed'])
    .groupBy(['offer_source', 'status'])
    .execute();
  return rows.map((r) => ({ source: r.offer_source ?? 'draw', status: r.status, seats: Number(r.seats ?? 0) }));
}
