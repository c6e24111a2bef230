/**
 * Data shapes of the draw. Everything here is plain JSON-compatible data so that the
 * exact inputs can be published in the audit bundle and re-run by anyone.
 */

/** One application. A party (the applicant plus guests) is one entry and is never split. */
export interface Entry {
  /** Pseudonymous entry id: lowercase hex, 1..64 characters, unique within a draw. */
  readonly id: string;
  /** Key of the group (e.g. "preferred" | "other") the entry belongs to. */
  readonly group: string;
  /** Number of tickets, 1..1000. Must equal the weight of the entry's group. */
  readonly weight: number;
  /** Seats the party needs, 1..MAX_SEATS. */
  readonly partySize: number;
}

export interface GroupParameters {
  /** 1..64 characters of [A-Za-z0-9_.-], starting with a letter or digit. */
  readonly key: string;
  /** Tickets per entry of this group, integer 1..1000. */
  readonly weight: number;
  /** Minimum share of the seats, in basis points (1/10000), or null for none. */
  readonly minBasisPoints?: number | null;
  /** Maximum share of the seats, in basis points (1/10000), or null for none. */
  readonly maxBasisPoints?: number | null;
}

export interface DrawParameters {
  /** Seats to fill, integer 0..MAX_SEATS. */
  readonly seats: number;
  readonly groups: readonly GroupParameters[];
}

export interface DrawResult {
  /** Every entry id, in draw order (best key first). */
  order: string[];
  /** Selected entry ids, in draw order. */
  selected: string[];
  /** Every entry id not selected, in draw order. */
  waitlist: string[];
  /** Seats taken by selected parties, per group key (every group present, 0 if none). */
  seatsByGroup: Record<string, number>;
}

export const MAX_WEIGHT = 1000;
export const MAX_SEATS = 1_000_000_000;
export const MAX_GROUPS = 1000;
export const BASIS_POINTS = 10_000;
export const SEED_BYTES = 32;

/** Thrown for invalid draw input; `path` names the offending field, e.g. "entries[3].weight". */
export class DrawInputError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DrawInputError';
    this.path = path;
  }
}
