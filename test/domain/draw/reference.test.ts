import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draw, nextPromotions } from '../../../src/domain/draw/index.ts';
import { drawOrder } from '../../../src/domain/draw/order.ts';
import { canonicalOrder, idPrefix, storeIdKey } from '../../../src/domain/draw/canonical-order.ts';
import { hexId, int, randomInput, rng, seedOf } from './helpers.ts';
import { refDraw, refPromote } from './reference-impl.ts';

describe('fast engine agrees with the reference implementation', () => {
  it('on 300 small random inputs (parties, quotas, ties in id prefixes)', () => {
    const r = rng(1);
    for (let t = 0; t < 300; t++) {
      const { entries, parameters } = randomInput(r);
      const seed = seedOf(`ref-small-${t}`);
      assert.deepEqual(draw(entries, parameters, seed), refDraw(entries, parameters, seed), `input #${t}`);
    }
  });

  it('on 12 large random inputs (radix-sort paths, unsorted ids, weights up to 1000)', () => {
    const r = rng(2);
    for (let t = 0; t < 12; t++) {
      const { entries, parameters } = randomInput(r, { minEntries: 1100, maxEntries: 4000, maxWeight: t % 3 === 0 ? 1000 : 8 });
      const seed = seedOf(`ref-large-${t}`);
      const sorted = t % 2 === 0 ? entries : [...entries].sort((a, b) => (a.id < b.id ? -1 : 1));
      assert.deepEqual(draw(sorted, parameters, seed), refDraw(entries, parameters, seed), `input #${t}`);
    }
  });

  it('on waitlist promotion from 200 random states', () => {
    const r = rng(3);
    for (let t = 0; t < 200; t++) {
      const { entries, parameters } = randomInput(r, { minEntries: 5 });
      const result = draw(entries, parameters, seedOf(`promo-${t}`));
      const byId = new Map(entries.map((e) => [e.id, e]));
      // Some selected parties decline; some waitlisted ones were already offered and declined.
      const declined = result.selected.filter(() => r() < 0.4);
      const excluded = [...declined, ...result.waitlist.filter(() => r() < 0.2)];
      const holding = result.selected.filter((id) => !declined.includes(id));
      const seatsByGroup: Record<string, number> = {};
      for (const g of parameters.groups) seatsByGroup[g.key] = 0;
      for (const id of holding) seatsByGroup[byId.get(id)!.group] += byId.get(id)!.partySize;
      const held = holding.reduce((s, id) => s + byId.get(id)!.partySize, 0);
      const state = { holding, excluded, seatsFree: parameters.seats - held, seatsByGroup };
      const limit = t % 4 === 0 ? int(r, 0, 3) : undefined;
      assert.deepEqual(
        nextPromotions(result, entries, parameters, state, { limit }),
        refPromote(result.waitlist, entries, parameters, state, limit),
        `state #${t}`,
      );
    }
  });
});

describe('sorting building blocks', () => {
  it('radix draw order equals a comparator sort, including many tied keys, with and without a permutation', () => {
    const r = rng(4);
    const n = 200_000;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      // Half the keys from a tiny range (forcing ties), half spread over all 53 bits.
      if (r() < 0.5) [hi[i], lo[i]] = [int(r, 0, 50) << 8, int(r, 0, 3)];
      else [hi[i], lo[i]] = [Math.floor(r() * 2 ** 21), Math.floor(r() * 2 ** 32)];
    }
    const key = (i: number) => BigInt(hi[i]) * 2n ** 32n + BigInt(lo[i]);
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => (key(a) !== key(b) ? (key(a) > key(b) ? -1 : 1) : a - b));
    assert.deepEqual(Array.from(drawOrder({ hi: hi.slice(), lo: lo.slice() })), expected);
    const perm = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n); // 7919 is prime, coprime to n
    assert.deepEqual(Array.from(drawOrder({ hi: hi.slice(), lo: lo.slice() }, perm)), expected.map((i) => perm[i]));
  });

  it('canonical order of 60k unsorted ids (shared prefixes, varied lengths) equals a string sort; duplicates rejected', () => {
    const r = rng(5);
    const set = new Set<string>();
    while (set.size < 60_000) {
      const shared = r() < 0.3 ? 'abcdef0123456' : '';
      set.add(shared + hexId(r, int(r, shared ? 0 : 1, 8)));
    }
    const ids = [...set];
    const keysOf = (list: string[]) => {
      const keys = { hi: new Uint32Array(list.length), lo: new Uint32Array(list.length) };
      list.forEach((id, i) => storeIdKey(keys, i, idPrefix(id)));
      return keys;
    };
    const perm = canonicalOrder(ids, keysOf(ids));
    assert.ok(perm);
    assert.deepEqual(Array.from(perm, (i) => ids[i]), [...ids].sort());
    const sorted = [...ids].sort();
    assert.equal(canonicalOrder(sorted, keysOf(sorted)), null);
    const withDuplicate = [...ids, ids[1234]];
    assert.throws(() => canonicalOrder(withDuplicate, keysOf(withDuplicate)), /entries\[60000\]\.id: duplicate/);
    const sortedWithDuplicate = [...sorted.slice(0, 10), sorted[9], ...sorted.slice(10)];
    assert.throws(() => canonicalOrder(sortedWithDuplicate, keysOf(sortedWithDuplicate)), /entries\[10\]\.id: duplicate/);
  });
});
