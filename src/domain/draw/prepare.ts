import { canonicalOrder } from './canonical-order.ts';
import { quotaSeats } from './quotas.ts';
import { DrawInputError, type DrawParameters, type Entry } from './types.ts';
import { validateEntry, validateParameters } from './validate.ts';
import type { WalkQuota } from './walk.ts';

/**
 * Validated input as flat typed arrays, in the caller's order (no copying into canonical order:
 * with millions of entries every extra pass and allocation shows, mostly as garbage collection).
 */
export interface PreparedDraw {
  /** Entry ids, caller's order. */
  readonly ids: string[];
  /** Canonical rank (ascending id) → position in the caller's array; null when already canonical. */
  readonly canonical: Uint32Array | null;
  readonly weight: Uint16Array;
  readonly party: Uint32Array;
  /** Group index (position in parameters.groups). */
  readonly group: Uint16Array;
  readonly groupKeys: string[];
  readonly quota: WalkQuota;
  readonly seats: number;
  /**
   * Five work arrays of length n, reused by the stages (id sort, keys, draw-order sort). On a
   * multi-million-entry draw every 64 MB of fresh typed arrays can trigger a full garbage
   * collection of the caller's heap (~0.3 s each); reuse halves the volume.
   */
  readonly scratch: [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
}

/** Validates entries and parameters and finds the canonical order. Throws DrawInputError. */
export function prepareDraw(entries: readonly Entry[], parameters: DrawParameters): PreparedDraw {
  const groupIndex = validateParameters(parameters);
  const groupWeights = parameters.groups.map((g) => g.weight);
  if (!Array.isArray(entries)) throw new DrawInputError('entries', 'must be an array');
  const n = entries.length;
  if (n > 0xffffffff) throw new DrawInputError('entries', 'too many entries');

  // One sequential pass over the entry objects; everything after works on compact arrays.
  const ids = new Array<string>(n);
  const weight = new Uint16Array(n);
  const party = new Uint32Array(n);
  const group = new Uint16Array(n);
  const scratch: PreparedDraw['scratch'] = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const idKeys = { hi: scratch[0], lo: scratch[1] };
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    group[i] = validateEntry(e, groupIndex, groupWeights, i, 'entries', idKeys);
    ids[i] = e.id;
    weight[i] = e.weight;
    party[i] = e.partySize;
  }

  const quotas = quotaSeats(parameters);
  return {
    ids,
    canonical: canonicalOrder(ids, idKeys, [scratch[2], scratch[3], scratch[4]]),
    weight,
    party,
    group,
    groupKeys: parameters.groups.map((g) => g.key),
    quota: { minSeats: quotas.map((q) => q.minSeats), maxSeats: quotas.map((q) => q.maxSeats) },
    seats: parameters.seats,
    scratch,
  };
}
