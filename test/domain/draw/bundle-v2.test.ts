import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildBundleV2,
  DrawInputError,
  freezeV2,
  QUICKNET,
  verifyBundle,
  verifyBundleText,
  type BundleInputV2,
} from '../../../src/domain/draw/index.ts';
import { flipBit, QUICKNET_ROUND_2, QUICKNET_ROUND_3 } from './drand-fixtures.ts';

/** A draw frozen three seconds before quicknet round 3, drawn with its recorded signature. */
const input: BundleInputV2 = {
  event: { slug: 'drand-2023', title: 'A draw on a real beacon' },
  parameters: { seats: 4, groups: [{ key: 'preferred', weight: 3, minBasisPoints: null, maxBasisPoints: null }, { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: 5000 }] },
  entries: [
    { id: 'aa01', group: 'preferred', weight: 3, partySize: 2 },
    { id: '0b', group: 'other', weight: 1, partySize: 1 },
    { id: 'c3', group: 'other', weight: 1, partySize: 2 },
    { id: '77', group: 'preferred', weight: 3, partySize: 1 },
    { id: 'e9', group: 'other', weight: 1, partySize: 1 },
  ],
  secret: '5b'.repeat(32),
  committedAt: '2023-08-23T14:00:00.000Z',
  frozenAt: '2023-08-23T15:09:30.000Z',
  publicRandomness: { kind: 'drand', chain: QUICKNET.hash, round: 3, signature: QUICKNET_ROUND_3.signature },
};

const rejects = (f: () => unknown, path: string) =>
  assert.throws(f, (e: unknown) => e instanceof DrawInputError && e.path === path, `expected ${path}`);

test('admit-draw/2 with a real quicknet round: built, verified, and the text verifies strictly', () => {
  const b = buildBundleV2(input);
  assert.equal(b.format, 'admit-draw/2');
  assert.deepEqual(verifyBundle(b), { ok: true });
  assert.deepEqual(verifyBundleText(JSON.stringify(b, null, 2)), { ok: true });
  const f = freezeV2({ ...input, commitment: b.commitment, publicRandomness: { kind: 'drand', chain: QUICKNET.hash, round: 3 } });
  assert.equal(f.freezeHash, b.freezeHash, 'the published freeze hash is the one the bundle carries');
});

test('a forged beacon is refused by the engine and by the verifier', () => {
  const forged = { kind: 'drand', chain: QUICKNET.hash, round: 3, signature: flipBit(QUICKNET_ROUND_3.signature) } as const;
  rejects(() => buildBundleV2({ ...input, publicRandomness: forged }), 'publicRandomness.signature');
  rejects(() => buildBundleV2({ ...input, publicRandomness: { ...forged, signature: QUICKNET_ROUND_2.signature } }), 'publicRandomness.signature');

  const b = buildBundleV2(input);
  const tampered = (f: (x: any) => void) => {
    const x = JSON.parse(JSON.stringify(b));
    f(x);
    return verifyBundle(x);
  };
  assert.equal((tampered((x) => (x.publicRandomness.signature = forged.signature)) as { mismatch: string }).mismatch, 'publicRandomness.signature');
  assert.equal((tampered((x) => (x.publicRandomness.signature = QUICKNET_ROUND_2.signature)) as { mismatch: string }).mismatch, 'publicRandomness.signature');
  // Another round changes the frozen record: caught by the freeze hash first.
  assert.equal((tampered((x) => (x.publicRandomness.round = 2)) as { mismatch: string }).mismatch, 'freezeHash');
  assert.equal((tampered((x) => (x.publicRandomness.chain = 'ab'.repeat(32))) as { mismatch: string }).mismatch, 'freezeHash');
  assert.equal((tampered((x) => (x.publicRandomness.kind = 'none')) as { mismatch: string }).mismatch, 'publicRandomness.kind');
});

test('the round must come strictly after the freeze', () => {
  rejects(() => buildBundleV2({ ...input, frozenAt: '2023-08-23T15:09:33.000Z' }), 'publicRandomness.round');
  rejects(() => freezeV2({ ...input, commitment: 'ab'.repeat(32), publicRandomness: { kind: 'drand', chain: QUICKNET.hash, round: 2 } }), 'publicRandomness.round');
  rejects(() => freezeV2({ ...input, commitment: 'ab'.repeat(32), publicRandomness: { kind: 'drand', chain: 'cd'.repeat(32), round: 9 } }), 'publicRandomness.chain');
});

test('an unverified source is explicit and labelled', () => {
  const b = buildBundleV2({ ...input, publicRandomness: { kind: 'unverified', label: 'Lotto numbers of 2023-08-26', value: '3 11 19 27 34 45' } });
  assert.deepEqual(verifyBundle(b), { ok: true });
  const x = JSON.parse(JSON.stringify(b));
  x.publicRandomness.value = '3 11 19 27 34 46';
  assert.equal((verifyBundle(x) as { mismatch: string }).mismatch, 'seed');
});

test('strict reading of the bundle text: duplicate keys, integers written as decimals, impossible timestamps', () => {
  const text = JSON.stringify(buildBundleV2(input));
  const mismatch = (t: string) => (verifyBundleText(t) as { mismatch?: string }).mismatch;
  assert.equal(mismatch(text.replace('"seats":4', '"seats":4.0')), 'parameters.seats');
  assert.equal(mismatch(text.replace('"partySize":2', '"partySize":2.0000000000000001')), 'entries[2].partySize');
  assert.equal(mismatch(text.replace('"seats":4', '"seats":4,"seats":5')), 'parameters.seats');
  assert.equal(mismatch(text.replace('"2023-08-23T14:00:00.000Z"', '"2023-08-23T14:60:00.000Z"')), 'committedAt');
  assert.equal(mismatch(text.replace('"2023-08-23T14:00:00.000Z"', '"2023-13-23T14:00:00.000Z"')), 'committedAt');
  assert.equal(mismatch(text.replace('"2023-08-23T15:09:30.000Z"', '"2023-02-30T15:09:30.000Z"')), 'frozenAt');
});
