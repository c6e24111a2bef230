import { quotaSeats } from './quotas.ts';
import { DrawInputError, MAX_SEATS, type DrawParameters, type DrawResult, type Entry } from './types.ts';
import { validateEntry, validateParameters } from './validate.ts';
import { walk } from './walk.ts';

export interface PromotionState {
  /** Entries holding seats now (selected or promoted, not released). Never offered again. */
  readonly holding: Iterable<string>;
  /** Entries that must not be offered: declined, withdrawn, expired offers… */
  readonly excluded?: Iterable<string>;
  /** Seats free now. */
  readonly seatsFree: number;
  /** Seats held now per group key (missing key = 0). */
  readonly seatsByGroup: Readonly<Record<string, number>>;
}

export interface Promotion {
  /** Entry ids to promote, in waitlist order. */
  promote: string[];
  /** Seats free after promoting them. */
  seatsFree: number;
  /** Seats held per group key after promoting them. */
  seatsByGroup: Record<string, number>;
}

/**
 * Which waitlisted parties move up next. Pure. It is the draw's own walk (same phases, same
 * rules) applied to the waitlist, minus holders and excluded entries, from the current state:
 * parties are taken whole in waitlist order, a party that does not fit the free seats or its
 * group's maximum is skipped, and a group below its minimum gets first claim on the seats it
 * still needs. `limit` caps the number of parties returned.
 */
export function nextPromotions(
  result: Pick<DrawResult, 'waitlist'>,
  entries: readonly Entry[],
  parameters: DrawParameters,
  state: PromotionState,
  options: { limit?: number } = {},
): Promotion {
  const groupIndex = validateParameters(parameters);
  const groupWeights = parameters.groups.map((g) => g.weight);
  if (!Number.isInteger(state.seatsFree) || state.seatsFree < 0 || state.seatsFree > MAX_SEATS) {
    throw new DrawInputError('state.seatsFree', 'must be a non-negative integer');
  }
  const used = parameters.groups.map(() => 0);
  for (const [key, seats] of Object.entries(state.seatsByGroup)) {
    const g = groupIndex.get(key);
    if (g === undefined) throw new DrawInputError(`state.seatsByGroup.${key}`, 'unknown group');
    if (!Number.isInteger(seats) || seats < 0) throw new DrawInputError(`state.seatsByGroup.${key}`, 'must be a non-negative integer');
    used[g] = seats;
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new DrawInputError('options.limit', 'must be non-negative');

  const byId = new Map<string, number>();
  entries.forEach((e, i) => byId.set(e.id, i));
  const skip = new Set<string>(state.holding);
  for (const id of state.excluded ?? []) skip.add(id);

  const candidateIds: string[] = [];
  const group: number[] = [];
  const party: number[] = [];
  result.waitlist.forEach((id, k) => {
    if (skip.has(id)) return;
    const i = byId.get(id);
    if (i === undefined) throw new DrawInputError(`waitlist[${k}]`, `unknown entry id ${id}`);
    group.push(validateEntry(entries[i], groupIndex, groupWeights, i));
    party.push(entries[i].partySize);
    candidateIds.push(id);
  });

  const quotas = quotaSeats(parameters);
  const walkState = { free: state.seatsFree, used };
  const candidates = candidateIds.map((_, k) => k);
  const picked = walk(
    candidates,
    group,
    party,
    { minSeats: quotas.map((q) => q.minSeats), maxSeats: quotas.map((q) => q.maxSeats) },
    walkState,
    limit,
  );

  const seatsByGroup: Record<string, number> = {};
  parameters.groups.forEach((g, i) => (seatsByGroup[g.key] = walkState.used[i]));
  return { promote: candidateIds.filter((_, k) => picked[k] === 1), seatsFree: walkState.free, seatsByGroup };
}
