import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextPromotions, type DrawParameters, type Entry } from '../../../src/domain/draw/index.ts';

const e = (id: string, group: string, partySize: number): Entry => ({ id, group, weight: 1, partySize });
const entries = [e('a1', 'p', 3), e('a2', 'p', 1), e('a3', 'o', 2), e('a4', 'p', 2), e('a5', 'o', 1)];
const parameters: DrawParameters = {
  seats: 10,
  groups: [
    { key: 'p', weight: 1, minBasisPoints: null, maxBasisPoints: null },
    { key: 'o', weight: 1, minBasisPoints: null, maxBasisPoints: 3000 },
  ],
};
const waitlist = { waitlist: ['a1', 'a2', 'a3', 'a4', 'a5'] };

describe('waitlist promotion', () => {
  it('promotes in waitlist order, skipping a party that does not fit', () => {
    const p = nextPromotions(waitlist, entries, parameters, { holding: [], seatsFree: 2, seatsByGroup: { p: 8 } });
    assert.deepEqual(p, { promote: ['a2', 'a5'], seatsFree: 0, seatsByGroup: { p: 9, o: 1 } });
  });

  it('respects the maximum of a group', () => {
    const p = nextPromotions(waitlist, entries, parameters, { holding: ['a1', 'a2'], seatsFree: 5, seatsByGroup: { p: 3, o: 2 } });
    // o may hold 3: a3 (2) would make 4, skipped; a4 (p) fits; a5 (o, 1) makes 3.
    assert.deepEqual(p.promote, ['a4', 'a5']);
  });

  it('never re-offers holders or excluded entries, and honours a limit', () => {
    const p = nextPromotions(waitlist, entries, parameters, { holding: ['a1'], excluded: ['a2'], seatsFree: 10, seatsByGroup: {} }, { limit: 1 });
    assert.deepEqual(p.promote, ['a3']);
  });

  it('gives a group below its minimum first claim on the seats it still needs', () => {
    const withMin: DrawParameters = { seats: 10, groups: [parameters.groups[0], { key: 'o', weight: 1, minBasisPoints: 3000, maxBasisPoints: null }] };
    // o holds 1 of its 3 reserved seats; 2 seats are free. a4 (p) would take them; o's a3 gets them instead.
    const p = nextPromotions({ waitlist: ['a4', 'a3'] }, entries, withMin, { holding: [], seatsFree: 2, seatsByGroup: { p: 7, o: 1 } });
    assert.deepEqual(p.promote, ['a3']);
  });

  it('returns nothing when no seat is free', () => {
    assert.deepEqual(nextPromotions(waitlist, entries, parameters, { holding: [], seatsFree: 0, seatsByGroup: { p: 10 } }).promote, []);
  });
});
