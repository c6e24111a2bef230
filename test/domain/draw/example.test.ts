import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBundle, computeKeys, keyAt, prepareDraw, sha256Hex, verifyBundle } from '../../../src/domain/draw/index.ts';

/** The worked example of docs/mechanisms/draw.md §2.12: if this changes, the spec changed. */
const input = {
  event: { slug: 'example-2026', title: 'Example evening' },
  parameters: {
    seats: 5,
    groups: [
      { key: 'preferred', weight: 3, minBasisPoints: 4000, maxBasisPoints: null },
      { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: 4000 },
    ],
  },
  entries: [
    { id: 'e915', group: 'other', weight: 1, partySize: 2 },
    { id: '0b7e', group: 'preferred', weight: 3, partySize: 2 },
    { id: '5d93', group: 'other', weight: 1, partySize: 1 },
    { id: '2c41', group: 'preferred', weight: 3, partySize: 3 },
    { id: 'c3f2', group: 'other', weight: 1, partySize: 1 },
    { id: '8a06', group: 'preferred', weight: 3, partySize: 1 },
  ],
  secret: sha256Hex('admit example secret'),
  committedAt: '2026-05-01T09:00:00.000Z',
  frozenAt: '2026-06-01T18:00:00.000Z',
  publicRandomness: { label: 'example beacon round 42', value: '8f3c2a' },
};

describe('worked example of the specification', () => {
  it('reproduces every published value', () => {
    const b = buildBundle(input);
    assert.equal(b.secret, '5becb64e4879ead9e16d1270d8f8b8550b9d7ee10dabfcf98d6725282063a6cf');
    assert.equal(b.commitment, '09da192de89c5cc8dd1d5c9e0bb3b9fcf6103b6277c56442e7d629f7bfa6cd3b');
    assert.equal(b.freezeHash, 'b4709b4b5d1bb523cd6eb9014385a882cfbb6c92fa48323ee808bb7b1ffb7880');
    assert.equal(b.seed, '51f1618e761bb87c2b5be3aa7f62c6c3aba5d8995801c22979ecde9d430aaa26');
    assert.deepEqual(b.result, {
      order: ['8a06', '0b7e', '2c41', 'c3f2', '5d93', 'e915'],
      selected: ['8a06', '0b7e', 'c3f2', '5d93'],
      waitlist: ['2c41', 'e915'],
      seatsByGroup: { preferred: 3, other: 2 },
    });
    assert.equal(b.resultHash, '7cb193985461275889840f7a4b49ace6be5ddce39e751e0a7f13e167179dccb6');
    assert.deepEqual(verifyBundle(b), { ok: true });
  });

  it('reproduces the keys', () => {
    const prepared = prepareDraw(input.entries, input.parameters);
    const keys = computeKeys(prepared, Buffer.from('51f1618e761bb87c2b5be3aa7f62c6c3aba5d8995801c22979ecde9d430aaa26', 'hex'));
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((rank) => keyAt(keys, rank)),
      [5570925565966599, 4991377176629634, 2665483582580367, 5909046426314849, 3055493386825193, 71398127308191],
    );
  });
});
