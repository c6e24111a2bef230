/**
 * The walk: turn a priority order into seat assignments, honouring capacity, whole parties and
 * group quotas. Used for the draw itself (order = draw order, nothing taken yet) and for later
 * waitlist promotion (order = remaining waitlist, state = seats currently taken), so both follow
 * exactly the same rules.
 */

export interface WalkQuota {
  /** Per group index: seats reserved for the group until it holds this many. */
  readonly minSeats: readonly number[];
  /** Per group index: the group never holds more than this many seats. */
  readonly maxSeats: readonly number[];
}

export interface WalkState {
  /** Seats still free. Mutated. */
  free: number;
  /** Seats held per group index. Mutated. */
  used: number[];
}

/**
 * Returns picked[k] = 1 when candidates[k] gets seats.
 *
 * Phase 1 (minimums). unmet(g) = max(0, minSeats[g] − used[g]); the unmet seats of all groups are
 * reserved. Walk the order once; a party of group g with unmet(g) > 0 is taken when
 *   size ≤ free − Σ unmet + unmet(g)   (it may use free unreserved seats and its own group's
 *                                        reservation, never another group's), and
 *   used[g] + size ≤ maxSeats[g].
 * Stop early once no group has unmet seats.
 *
 * Phase 2 (everyone). Walk the order again, skipping parties already taken; a party is taken when
 *   size ≤ free and used[g] + size ≤ maxSeats[g].
 * Stop early when no seat is free.
 *
 * A party that does not fit is skipped, never split, and the walk goes on: the next party may be
 * small enough. One pass per phase suffices: free seats and quota headroom only shrink, so a
 * party that did not fit will not fit later in the same phase. Both phases follow the same order,
 * so within a group the better key always wins; phase 1 only decides that the reserved seats go
 * to the best-placed parties of the groups that need them.
 *
 * `limit` caps the number of parties taken (phase 1 picks count first).
 */
export function walk(
  candidates: ArrayLike<number>,
  group: ArrayLike<number>,
  party: ArrayLike<number>,
  quota: WalkQuota,
  state: WalkState,
  limit = Number.POSITIVE_INFINITY,
): Uint8Array {
  const n = candidates.length;
  const picked = new Uint8Array(n);
  const { minSeats, maxSeats } = quota;
  const used = state.used;
  let free = state.free;
  let count = 0;

  let unmetTotal = 0;
  for (let g = 0; g < used.length; g++) if (minSeats[g] > used[g]) unmetTotal += minSeats[g] - used[g];

  for (let k = 0; k < n && unmetTotal > 0 && count < limit; k++) {
    const c = candidates[k];
    const g = group[c];
    const unmet = minSeats[g] - used[g];
    if (unmet <= 0) continue;
    const size = party[c];
    if (size <= free - unmetTotal + unmet && used[g] + size <= maxSeats[g]) {
      picked[k] = 1;
      count++;
      free -= size;
      used[g] += size;
      unmetTotal -= size < unmet ? size : unmet;
    }
  }

  for (let k = 0; k < n && free > 0 && count < limit; k++) {
    if (picked[k]) continue;
    const c = candidates[k];
    const g = group[c];
    const size = party[c];
    if (size <= free && used[g] + size <= maxSeats[g]) {
      picked[k] = 1;
      count++;
      free -= size;
      used[g] += size;
    }
  }

  state.free = free;
  return picked;
}
