import { BASIS_POINTS, type DrawParameters } from './types.ts';

export interface GroupQuota {
  readonly key: string;
  readonly minSeats: number;
  readonly maxSeats: number;
}

/**
 * floor(seats × basisPoints / 10000), exactly. Quotas are integers (basis points) rather than
 * float shares so that every implementation, in every language, derives the same seat counts:
 * seats ≤ 1e9 and bp ≤ 1e4 keep the product below 2^53, and subtracting the remainder first
 * makes the division exact, so no float rounding is involved at all.
 */
export function shareOfSeats(seats: number, basisPoints: number): number {
  const product = seats * basisPoints;
  return (product - (product % BASIS_POINTS)) / BASIS_POINTS;
}

/** Seat bounds per group: min = floor(seats·min/10000) (0 if null), max = floor(seats·max/10000) (seats if null). */
export function quotaSeats(parameters: DrawParameters): GroupQuota[] {
  return parameters.groups.map((g) => ({
    key: g.key,
    minSeats: g.minBasisPoints == null ? 0 : shareOfSeats(parameters.seats, g.minBasisPoints),
    maxSeats: g.maxBasisPoints == null ? parameters.seats : shareOfSeats(parameters.seats, g.maxBasisPoints),
  }));
}
