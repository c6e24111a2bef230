import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBundle, commitmentOf, freeze, verifyBundle, type BundleInput, type DrawBundle } from '../../../src/domain/draw/index.ts';
import { refHashes } from './reference-impl.ts';

const input: BundleInput = {
  event: { slug: 'summer-camp-2026', title: 'Summer camp 2026 — Zürich', startsAt: '2026-07-01T08:00:00.000Z', days: 3, public: true, note: null },
  parameters: {
    seats: 7,
    groups: [
      { key: 'preferred', weight: 3, minBasisPoints: 5000, maxBasisPoints: null },
      { key: 'other', weight: 1, minBasisPoints: 2000, maxBasisPoints: 4000 },
    ],
  },
  entries: [
    { id: 'c3d1', group: 'preferred', weight: 3, partySize: 2 },
    { id: '09ab', group: 'other', weight: 1, partySize: 1 },
    { id: '5e', group: 'preferred', weight: 3, partySize: 3 },
    { id: 'f00d', group: 'other', weight: 1, partySize: 2 },
    { id: '77a0', group: 'preferred', weight: 3, partySize: 1 },
    { id: 'a1b2c3', group: 'other', weight: 1, partySize: 1 },
  ],
  secret: '3c'.repeat(16) + '9d'.repeat(16),
  committedAt: '2026-05-01T10:00:00.000Z',
  frozenAt: '2026-06-01T10:00:00.000Z',
  publicRandomness: { label: 'drand quicknet round 1000', value: '5f1c0a' },
};

type Path = (string | number)[];

function leaves(v: unknown, path: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [path];
}

function objects(v: unknown, path: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objects(x, [...path, i]));
  if (v !== null && typeof v === 'object') return [path, ...Object.entries(v).flatMap(([k, x]) => objects(x, [...path, k]))];
  return [];
}

function at(root: unknown, path: Path): any {
  return path.reduce((o: any, k) => o[k], root);
}

function withChange(b: DrawBundle, path: Path, change: (parent: any, key: string | number) => void): unknown {
  const copy = structuredClone(b);
  change(at(copy, path.slice(0, -1)), path[path.length - 1]);
  return copy;
}

/** Plausible edits: the next character of the same kind (hex stays hex, digits stay digits), ±1, null → value. */
function variants(v: unknown): unknown[] {
  if (typeof v === 'string') {
    const bump = (c: string) =>
      /[0-8]/.test(c) ? String(+c + 1) : c === '9' ? '0' : /[a-e]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : c === 'f' ? 'a' : c === 'x' ? 'y' : 'x';
    return v === '' ? ['x'] : [v.slice(0, -1) + bump(v.slice(-1)), bump(v[0]) + v.slice(1), `${v} `];
  }
  if (typeof v === 'number') return [v + 1, v - 1, String(v)];
  if (typeof v === 'boolean') return [!v];
  if (v === null) return ['x', 0, {}];
  throw new Error(`unexpected leaf ${String(v)}`);
}

describe('audit bundle', () => {
  const bundle = buildBundle(input);

  it('verifies, also after a JSON round trip', () => {
    assert.deepEqual(verifyBundle(bundle), { ok: true });
    assert.deepEqual(verifyBundle(JSON.parse(JSON.stringify(bundle, null, 2))), { ok: true });
    assert.equal(bundle.result.order.length, 6);
    assert.deepEqual(Object.keys(bundle.entries[0]), ['id', 'group', 'weight', 'partySize']);
  });

  it('hashes agree with the reference implementation and with the freeze step', () => {
    const ref = refHashes(bundle);
    assert.deepEqual(ref, { commitment: bundle.commitment, freezeHash: bundle.freezeHash, seed: bundle.seed, resultHash: bundle.resultHash });
    const frozen = freeze({ ...input, commitment: commitmentOf(input.secret), publicRandomnessLabel: input.publicRandomness!.label });
    assert.equal(frozen.freezeHash, bundle.freezeHash);
  });

  for (const b of [bundle, buildBundle({ ...input, publicRandomness: null })]) {
    const label = b.publicRandomness ? 'with public randomness' : 'without public randomness';

    it(`detects a change to any leaf (${label})`, () => {
      const paths = leaves(b);
      assert.ok(paths.length > 55, `only ${paths.length} leaves`);
      for (const path of paths) {
        for (const v of variants(at(b, path))) {
          const res = verifyBundle(withChange(b, path, (o, k) => (o[k] = v)));
          assert.equal(res.ok, false, `change of ${path.join('.')} to ${JSON.stringify(v)} went unnoticed`);
        }
      }
    });

    it(`detects added and removed fields and array items (${label})`, () => {
      for (const path of objects(b)) {
        const target = path.length ? at(b, path) : b;
        if (Array.isArray(target)) continue;
        const extra = path.length ? withChange(b, [...path, 'extra'], (o, k) => (o[k] = 1)) : { ...structuredClone(b), extra: 1 };
        assert.equal(verifyBundle(extra).ok, false, `extra key in ${path.join('.')}`);
        for (const key of Object.keys(target)) {
          assert.equal(verifyBundle(withChange(b, [...path, key], (o, k) => delete o[k])).ok, false, `removed ${[...path, key].join('.')}`);
        }
      }
      for (const arr of ['entries', 'result.order', 'result.selected', 'result.waitlist']) {
        const path = arr.split('.');
        if (at(b, path).length === 0) continue;
        const dropped = structuredClone(b);
        at(dropped, path).pop();
        assert.equal(verifyBundle(dropped).ok, false, `dropped last of ${arr}`);
        const swapped = structuredClone(b);
        const list = at(swapped, path);
        [list[0], list[1]] = [list[1], list[0]];
        if (list.length > 1) assert.equal(verifyBundle(swapped).ok, false, `swapped in ${arr}`);
      }
    });
  }

  it('names the first mismatching field', () => {
    const cases: [Path, unknown, string][] = [
      [['secret'], 'ab'.repeat(32), 'commitment'],
      [['commitment'], 'ab'.repeat(32), 'commitment'],
      [['event', 'title'], 'Other', 'freezeHash'],
      [['frozenAt'], '2026-06-01T10:00:00.001Z', 'freezeHash'],
      [['publicRandomness', 'value'], '5f1c0b', 'seed'],
      [['seed'], 'ab'.repeat(32), 'seed'],
      [['result', 'seatsByGroup', 'other'], 0, 'result.seatsByGroup'],
      [['resultHash'], 'ab'.repeat(32), 'resultHash'],
      [['format'], 'admit-draw/9', 'format'],
      [['format'], 'admit-draw/2', 'publicRandomness.kind'], // a /1 bundle relabelled /2 lacks the /2 randomness
      [['entries', 0, 'weight'], 2, 'entries[0].weight'],
      [['committedAt'], '2026-07-01T10:00:00.000Z', 'committedAt'],
    ];
    for (const [path, value, mismatch] of cases) {
      const res = verifyBundle(withChange(bundle, path, (o, k) => (o[k] = value)));
      assert.equal(res.ok ? 'ok' : res.mismatch, mismatch, path.join('.'));
    }
    const reordered = structuredClone(bundle);
    reordered.result.order.reverse();
    const res = verifyBundle(reordered);
    assert.ok(!res.ok && res.mismatch === 'result.order' && res.message.startsWith('differs at position 0'));
  });

  it('refuses to build a bundle that contradicts the published commitment or freeze hash', () => {
    assert.throws(() => buildBundle({ ...input, commitment: 'ab'.repeat(32) }), /commitment/);
    assert.throws(() => buildBundle({ ...input, freezeHash: 'ab'.repeat(32) }), /freeze hash/);
    assert.doesNotThrow(() => buildBundle({ ...input, commitment: bundle.commitment, freezeHash: bundle.freezeHash }));
    assert.throws(() => buildBundle({ ...input, committedAt: '2026-06-02T00:00:00.000Z' }), /precede/);
    assert.throws(() => buildBundle({ ...input, event: { slug: 'x', ratio: 0.5 } }), /safe integers/);
  });
});
