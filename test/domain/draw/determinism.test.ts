import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBundle, deriveSeed, draw, drawPrepared, prepareDraw } from '../../../src/domain/draw/index.ts';
import { randomInput, rng, seedOf } from './helpers.ts';

const { entries, parameters } = randomInput(rng(10), { minEntries: 50, maxEntries: 50 });

describe('reproducibility', () => {
  it('same inputs and seed give the same result', () => {
    const a = draw(entries, parameters, seedOf('same'));
    const b = draw(structuredClone(entries), structuredClone(parameters), seedOf('same'));
    assert.deepEqual(a, b);
  });

  it('a prepared draw can be run repeatedly (scratch space is reused safely)', () => {
    const prepared = prepareDraw([...entries].reverse(), parameters);
    const a = drawPrepared(prepared, seedOf('p'));
    drawPrepared(prepared, seedOf('other'));
    assert.deepEqual(drawPrepared(prepared, seedOf('p')), a);
    assert.deepEqual(a, draw(entries, parameters, seedOf('p')));
  });

  it('the order of the input entries does not matter', () => {
    const shuffled = [...entries].reverse();
    assert.deepEqual(draw(shuffled, parameters, seedOf('x')), draw(entries, parameters, seedOf('x')));
  });

  it('every single flipped bit of the secret changes the draw order', () => {
    const secret = Buffer.from('7f'.repeat(32), 'hex');
    const freezeHash = 'ab'.repeat(32);
    const base = draw(entries, parameters, deriveSeed(secret.toString('hex'), freezeHash, null)).order;
    for (let bit = 0; bit < 256; bit++) {
      const flipped = Buffer.from(secret);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const order = draw(entries, parameters, deriveSeed(flipped.toString('hex'), freezeHash, null)).order;
      assert.notDeepEqual(order, base, `bit ${bit}`);
    }
  });

  it('a different public randomness value changes the order', () => {
    const input = {
      event: { slug: 'e' },
      parameters,
      entries,
      secret: '11'.repeat(32),
      committedAt: '2026-01-01T00:00:00.000Z',
      frozenAt: '2026-01-02T00:00:00.000Z',
    };
    const a = buildBundle({ ...input, publicRandomness: { label: 'drand round 1', value: 'aa' } });
    const b = buildBundle({ ...input, publicRandomness: { label: 'drand round 1', value: 'ab' } });
    assert.equal(a.freezeHash, b.freezeHash, 'the value is not part of the freeze');
    assert.notDeepEqual(a.result.order, b.result.order);
  });

  it('edge cases: no entries, no seats', () => {
    const groups = [{ key: 'a', weight: 1 }];
    assert.deepEqual(draw([], { seats: 5, groups }, seedOf(1)), { order: [], selected: [], waitlist: [], seatsByGroup: { a: 0 } });
    const r = draw([{ id: '01', group: 'a', weight: 1, partySize: 1 }], { seats: 0, groups }, seedOf(1));
    assert.deepEqual(r, { order: ['01'], selected: [], waitlist: ['01'], seatsByGroup: { a: 0 } });
  });
});
