import { radixSortDescending, type RadixScratch, type SplitKeys } from './radix-sort.ts';

/** Below this many entries a plain comparator sort is cheaper than allocating radix histograms. */
export const SMALL_SORT_THRESHOLD = 1024;

const TWO_32 = 4294967296;

/**
 * Draw order: entries sorted by key descending, ties by entry id ascending. keys.hi/lo[i] is the
 * key of the entry of canonical rank i (rank = position in ascending-id order); `canonical[i]` is
 * that entry's position in the caller's array (null: the same). Returns caller positions.
 *
 * Keys are 53-bit integers, compared exactly (as integer halves, or as doubles, which hold 53-bit
 * integers exactly); no floating-point rounding can influence the order. Ties keep rank order,
 * i.e. ascending id. `keys` is clobbered; `scratch` avoids allocating the sort's work arrays.
 */
export function drawOrder(keys: SplitKeys, canonical: Uint32Array | null = null, scratch?: RadixScratch): Uint32Array {
  const n = keys.hi.length;
  if (n < SMALL_SORT_THRESHOLD) {
    const { hi, lo } = keys;
    const ranks = Array.from({ length: n }, (_, i) => i);
    ranks.sort((a, b) => hi[b] * TWO_32 + lo[b] - (hi[a] * TWO_32 + lo[a]) || a - b);
    return Uint32Array.from(ranks, (r) => (canonical === null ? r : canonical[r]));
  }
  const payload = canonical === null ? new Uint32Array(n) : Uint32Array.from(canonical);
  if (canonical === null) for (let i = 0; i < n; i++) payload[i] = i;
  radixSortDescending(keys, payload, scratch);
  return payload;
}
