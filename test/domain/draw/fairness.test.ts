import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draw, type Entry } from '../../../src/domain/draw/index.ts';
import { rng, seedOf } from './helpers.ts';

/** One group per weight so each entry's weight equals its group's weight. */
function classes(weights: number[], perClass: number): { entries: Entry[]; groups: { key: string; weight: number }[] } {
  const groups = weights.map((w) => ({ key: `w${w}`, weight: w }));
  const entries: Entry[] = [];
  weights.forEach((w, c) => {
    for (let j = 0; j < perClass; j++) entries.push({ id: `${c.toString(16)}${j.toString(16).padStart(3, '0')}`, group: `w${w}`, weight: w, partySize: 1 });
  });
  return { entries, groups };
}

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]) ** 2 / expected[i], 0);
}

describe('fairness (deterministic: fixed seeds)', () => {
  // Critical values of χ² at p = 0.001.
  const CRITICAL = { 3: 16.266, 4: 18.467 } as const;

  it('first pick is proportional to weight: weights 1,2,3,5,10 over 20000 seeds', () => {
    const weights = [1, 2, 3, 5, 10];
    const { entries, groups } = classes(weights, 1);
    const counts = weights.map(() => 0);
    const runs = 20_000;
    for (let s = 0; s < runs; s++) {
      const first = draw(entries, { seats: 1, groups }, seedOf(`first-${s}`)).order[0];
      counts[entries.findIndex((e) => e.id === first)]++;
    }
    const total = weights.reduce((a, b) => a + b, 0);
    const stat = chiSquare(counts, weights.map((w) => (runs * w) / total));
    assert.ok(stat < CRITICAL[4], `χ² = ${stat.toFixed(2)} (counts ${counts})`);
  });

  it('first pick is proportional to weight at the extremes: weights 1,10,100,1000 over 12000 seeds', () => {
    const weights = [1, 10, 100, 1000];
    const { entries, groups } = classes(weights, 1);
    const counts = weights.map(() => 0);
    const runs = 12_000;
    for (let s = 0; s < runs; s++) {
      const first = draw(entries, { seats: 1, groups }, seedOf(`extreme-${s}`)).order[0];
      counts[entries.findIndex((e) => e.id === first)]++;
    }
    const stat = chiSquare(counts, weights.map((w) => (runs * w) / 1111));
    assert.ok(stat < CRITICAL[3], `χ² = ${stat.toFixed(2)} (counts ${counts})`);
  });

  it('selection rates per weight class match a plain sequential-urn simulation', () => {
    // Reference: draw seats one at a time, each remaining entry with probability weight / remaining weight.
    const weights = [1, 2, 5];
    const perClass = 10;
    const seats = 8;
    const runs = 4000;
    const { entries, groups } = classes(weights, perClass);
    const engine = weights.map(() => 0);
    const urn = weights.map(() => 0);
    const cls = new Map(entries.map((e) => [e.id, weights.indexOf(e.weight)]));
    for (let s = 0; s < runs; s++) {
      for (const id of draw(entries, { seats, groups }, seedOf(`rate-${s}`)).selected) engine[cls.get(id)!]++;
    }
    const r = rng(99);
    for (let s = 0; s < runs; s++) {
      const pool = entries.map((e) => e.weight);
      for (let k = 0; k < seats; k++) {
        let x = r() * pool.reduce((a, b) => a + b, 0);
        let i = 0;
        while (x >= pool[i] || pool[i] === 0) x -= pool[i++];
        urn[weights.indexOf(pool[i])]++;
        pool[i] = 0;
      }
    }
    const trials = runs * perClass;
    weights.forEach((w, c) => {
      const p1 = engine[c] / trials;
      const p2 = urn[c] / trials;
      const p = (p1 + p2) / 2;
      const z = (p1 - p2) / Math.sqrt((p * (1 - p) * 2) / trials);
      // |z| < 3.9 ≈ two-sided p = 0.0001 per class (Bonferroni over 3 classes keeps the family below 0.001).
      assert.ok(Math.abs(z) < 3.9, `weight ${w}: engine ${p1.toFixed(4)} vs urn ${p2.toFixed(4)}, z = ${z.toFixed(2)}`);
    });
    // And a weight-5 applicant is clearly likelier to be selected than a weight-1 applicant.
    assert.ok(engine[2] > 2 * engine[0]);
  });
});
