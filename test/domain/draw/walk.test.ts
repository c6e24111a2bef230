import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draw, quotaSeats, shareOfSeats, walk, type DrawParameters, type Entry } from '../../../src/domain/draw/index.ts';
import { randomInput, rng, seedOf } from './helpers.ts';

/** Walk a hand-made order: parties [group index, size]. */
function walkOrder(parties: [number, number][], seats: number, min: number[], max: number[]) {
  const state = { free: seats, used: min.map(() => 0) };
  const picked = walk(
    parties.map((_, i) => i),
    parties.map((p) => p[0]),
    parties.map((p) => p[1]),
    { minSeats: min, maxSeats: max },
    state,
  );
  return { picked: Array.from(picked), ...state };
}

describe('the walk', () => {
  it('skips a party that does not fit and goes on (never splits it)', () => {
    // 5 seats: 3 taken, the next party of 3 does not fit the 2 left, the party of 2 behind it does.
    assert.deepEqual(walkOrder([[0, 3], [0, 3], [0, 2]], 5, [0], [5]), { picked: [1, 0, 1], free: 0, used: [5] });
  });

  it('never lets a group exceed its maximum', () => {
    assert.deepEqual(walkOrder([[0, 2], [0, 2], [1, 1], [0, 1]], 10, [0, 0], [3, 10]), { picked: [1, 0, 1, 1], free: 6, used: [3, 1] });
  });

  it('reserves unmet minimums: one group cannot eat seats another group is owed', () => {
    // 10 seats, A and B each min 5. A's parties of 4 come first; the second would leave B short.
    const order: [number, number][] = [[0, 4], [0, 4], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]];
    assert.deepEqual(walkOrder(order, 10, [5, 5], [10, 10]), { picked: [1, 0, 1, 1, 1, 1, 1, 1], free: 0, used: [4, 6] });
  });

  it('phase 1 seats a minimum group from the back of the order', () => {
    // Group 1 needs 2 seats and comes last; without phase 1 group 0 would take all 4 seats.
    assert.deepEqual(walkOrder([[0, 1], [0, 1], [0, 1], [0, 1], [1, 1], [1, 1]], 4, [0, 2], [4, 4]), {
      picked: [1, 1, 0, 0, 1, 1],
      free: 0,
      used: [2, 2],
    });
  });
});

describe('quotas in basis points', () => {
  it('converts with exact floor', () => {
    assert.equal(shareOfSeats(20_000, 3333), 6666);
    assert.equal(shareOfSeats(7, 5000), 3);
    assert.equal(shareOfSeats(1_000_000_000, 9999), 999_900_000);
    assert.equal(shareOfSeats(3, 3334), 1);
    const p: DrawParameters = { seats: 10, groups: [{ key: 'a', weight: 1, minBasisPoints: 2500, maxBasisPoints: null }] };
    assert.deepEqual(quotaSeats(p), [{ key: 'a', minSeats: 2, maxSeats: 10 }]);
  });
});

describe('invariants over random draws', () => {
  function check(entries: Entry[], parameters: DrawParameters, label: string, unitParties: boolean) {
    const result = draw(entries, parameters, seedOf(label));
    const byId = new Map(entries.map((e) => [e.id, e]));
    const quotas = new Map(quotaSeats(parameters).map((q) => [q.key, q]));
    const used: Record<string, number> = Object.fromEntries(parameters.groups.map((g) => [g.key, 0]));
    for (const id of result.selected) used[byId.get(id)!.group] += byId.get(id)!.partySize;
    const total = Object.values(used).reduce((a, b) => a + b, 0);

    // Parties are whole: seats per group are sums of full party sizes and match the report.
    assert.deepEqual(result.seatsByGroup, used, label);
    assert.ok(total <= parameters.seats, `${label}: capacity exceeded`);
    // selected and waitlist partition the order, each in draw order.
    const sel = new Set(result.selected);
    assert.deepEqual(result.selected, result.order.filter((id) => sel.has(id)), label);
    assert.deepEqual(result.waitlist, result.order.filter((id) => !sel.has(id)), label);
    assert.equal(new Set(result.order).size, entries.length);
    for (const [key, q] of quotas) {
      assert.ok(used[key] <= q.maxSeats, `${label}: ${key} above its maximum`);
      const applied = entries.filter((e) => e.group === key).length;
      if (unitParties) assert.ok(used[key] >= Math.min(q.minSeats, applied), `${label}: ${key} below its minimum`);
    }
    // Maximal: at the end no waitlisted party would still fit.
    const free = parameters.seats - total;
    for (const id of result.waitlist) {
      const e = byId.get(id)!;
      assert.ok(e.partySize > free || used[e.group] + e.partySize > quotas.get(e.group)!.maxSeats, `${label}: ${id} would still fit`);
    }
  }

  it('capacity, whole parties, maxima and maximality hold (300 inputs with parties)', () => {
    const r = rng(20);
    for (let t = 0; t < 300; t++) {
      const { entries, parameters } = randomInput(r, { maxPartySize: 6 });
      check(entries, parameters, `parties-${t}`, false);
    }
  });

  it('minimums are met exactly whenever the group has enough applicants (300 inputs, single seats)', () => {
    const r = rng(21);
    for (let t = 0; t < 300; t++) {
      const { entries, parameters } = randomInput(r, { unitParties: true });
      check(entries, parameters, `unit-${t}`, true);
    }
  });
});
