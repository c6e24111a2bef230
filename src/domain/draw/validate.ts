import { idPrefix, storeIdKey } from './canonical-order.ts';
import type { SplitKeys } from './radix-sort.ts';
import {
  BASIS_POINTS,
  DrawInputError,
  MAX_GROUPS,
  MAX_SEATS,
  MAX_WEIGHT,
  type DrawParameters,
  type Entry,
} from './types.ts';

const isInt = (x: unknown, min: number, max: number): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;

const GROUP_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const isBasisPoints = (x: unknown): boolean => x === undefined || x === null || isInt(x, 0, BASIS_POINTS);

/**
 * Checks the parameters and returns group key → group index. Quotas must be satisfiable:
 * min ≤ max per group and Σ min ≤ 100 %, so Σ minSeats ≤ seats and reservations always fit.
 */
export function validateParameters(parameters: DrawParameters, path = 'parameters'): Map<string, number> {
  if (typeof parameters !== 'object' || parameters === null) throw new DrawInputError(path, 'must be an object');
  if (!isInt(parameters.seats, 0, MAX_SEATS)) throw new DrawInputError(`${path}.seats`, `must be an integer 0..${MAX_SEATS}`);
  const groups = parameters.groups;
  if (!Array.isArray(groups) || groups.length > MAX_GROUPS) {
    throw new DrawInputError(`${path}.groups`, `must be an array of at most ${MAX_GROUPS} groups`);
  }
  const index = new Map<string, number>();
  let minTotal = 0;
  groups.forEach((g, i) => {
    const p = `${path}.groups[${i}]`;
    if (typeof g !== 'object' || g === null) throw new DrawInputError(p, 'must be an object');
    // A plain identifier: it becomes an object key in seatsByGroup (so no "__proto__" tricks).
    if (typeof g.key !== 'string' || !GROUP_KEY.test(g.key)) {
      throw new DrawInputError(`${p}.key`, 'must be 1..64 of [A-Za-z0-9_.-], starting with a letter or digit');
    }
    if (index.has(g.key)) throw new DrawInputError(`${p}.key`, `duplicate group key "${g.key}"`);
    if (!isInt(g.weight, 1, MAX_WEIGHT)) throw new DrawInputError(`${p}.weight`, `must be an integer 1..${MAX_WEIGHT}`);
    if (!isBasisPoints(g.minBasisPoints)) throw new DrawInputError(`${p}.minBasisPoints`, 'must be null or an integer 0..10000');
    if (!isBasisPoints(g.maxBasisPoints)) throw new DrawInputError(`${p}.maxBasisPoints`, 'must be null or an integer 0..10000');
    if (g.minBasisPoints != null && g.maxBasisPoints != null && g.minBasisPoints > g.maxBasisPoints) {
      throw new DrawInputError(`${p}.minBasisPoints`, 'must not exceed maxBasisPoints');
    }
    minTotal += g.minBasisPoints ?? 0;
    index.set(g.key, i);
  });
  if (minTotal > BASIS_POINTS) throw new DrawInputError(`${path}.groups`, 'minimum shares add up to more than 100 %');
  return index;
}

/**
 * Checks entry number `index` of the array named `list` against the group table and returns its
 * group index; when `idKeys` is given, stores the id's sort key at `index` (see canonicalOrder).
 *
 * An entry's weight must equal its group's weight: weights are a per-group policy, and a bundle in
 * which two applicants of the same group hold different numbers of tickets would be a red flag, so
 * the engine refuses it.
 */
export function validateEntry(
  e: Entry,
  groupIndex: ReadonlyMap<string, number>,
  weights: readonly number[],
  index: number,
  list = 'entries',
  idKeys?: SplitKeys,
): number {
  // No closures or template strings on the success path: this runs once per entry, millions of times.
  if (typeof e !== 'object' || e === null) throw new DrawInputError(`${list}[${index}]`, 'must be an object');
  const prefix = idPrefix(e.id);
  if (prefix < 0) throw new DrawInputError(`${list}[${index}].id`, 'must be 1..64 lowercase hex characters');
  if (idKeys) storeIdKey(idKeys, index, prefix);
  const g = typeof e.group === 'string' ? groupIndex.get(e.group) : undefined;
  if (g === undefined) throw new DrawInputError(`${list}[${index}].group`, 'unknown group');
  if (e.weight !== weights[g]) {
    throw new DrawInputError(`${list}[${index}].weight`, `must equal the weight of group "${e.group}" (${weights[g]})`);
  }
  if (!isInt(e.partySize, 1, MAX_SEATS)) throw new DrawInputError(`${list}[${index}].partySize`, `must be an integer 1..${MAX_SEATS}`);
  return g;
}
