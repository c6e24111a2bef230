import { deriveKeys } from './keystream.ts';
import { drawOrder } from './order.ts';
import { prepareDraw, type PreparedDraw } from './prepare.ts';
import type { SplitKeys } from './radix-sort.ts';
import type { DrawParameters, DrawResult, Entry } from './types.ts';
import { walk } from './walk.ts';

/** Seat assignment: picked[k] = 1 when order[k] was selected; seats per group index. */
export interface Selection {
  readonly picked: Uint8Array;
  readonly used: number[];
}

/**
 * Stage 2: every entry's key; index = canonical rank (ascending id). See deriveKeys. The keys live
 * in the prepared draw's scratch space: valid until the next computeKeys/computeOrder on it.
 */
export function computeKeys(prepared: PreparedDraw, seed: Uint8Array): SplitKeys {
  const [hi, lo] = prepared.scratch;
  return deriveKeys(prepared.weight, seed, prepared.canonical, { hi, lo });
}

/** Stage 3: the draw order, as positions in the caller's entry array. Clobbers `keys`. */
export function computeOrder(prepared: PreparedDraw, keys: SplitKeys): Uint32Array {
  const [, , a, b, c] = prepared.scratch;
  return drawOrder(keys, prepared.canonical, [a, b, c]);
}

/** Stage 4: runs the walk over the full draw order, starting from all seats free. */
export function selectParties(prepared: PreparedDraw, order: Uint32Array): Selection {
  const state = { free: prepared.seats, used: prepared.groupKeys.map(() => 0) };
  const picked = walk(order, prepared.group, prepared.party, prepared.quota, state);
  return { picked, used: state.used };
}

/** Stage 5: maps positions back to ids. `order` holds positions in the caller's entry array. */
export function assembleResult(prepared: PreparedDraw, order: Uint32Array, selection: Selection): DrawResult {
  const n = order.length;
  const ids = prepared.ids;
  const picked = selection.picked;
  let selectedCount = 0;
  for (let k = 0; k < n; k++) selectedCount += picked[k];
  // Pre-sized arrays: pushing millions of items one by one costs several times more.
  const orderIds = new Array<string>(n);
  const selected = new Array<string>(selectedCount);
  const waitlist = new Array<string>(n - selectedCount);
  let s = 0;
  let w = 0;
  for (let k = 0; k < n; k++) {
    const id = ids[order[k]];
    orderIds[k] = id;
    if (picked[k]) selected[s++] = id;
    else waitlist[w++] = id;
  }
  const seatsByGroup: Record<string, number> = {};
  prepared.groupKeys.forEach((key, g) => (seatsByGroup[key] = selection.used[g]));
  return { order: orderIds, selected, waitlist, seatsByGroup };
}

/**
 * The draw: a pure function of (entries, parameters, seed). Entry order in the input does not
 * matter; the same inputs give the same result on every platform, bit for bit.
 */
export function draw(entries: readonly Entry[], parameters: DrawParameters, seed: Uint8Array): DrawResult {
  return drawPrepared(prepareDraw(entries, parameters), seed);
}

/** The draw on already prepared input (stage 1 = prepareDraw). */
export function drawPrepared(prepared: PreparedDraw, seed: Uint8Array): DrawResult {
  const order = computeOrder(prepared, computeKeys(prepared, seed));
  return assembleResult(prepared, order, selectParties(prepared, order));
}
