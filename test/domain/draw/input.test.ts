import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draw, DrawInputError, type DrawParameters, type Entry } from '../../../src/domain/draw/index.ts';
import { seedOf } from './helpers.ts';

const groups = [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1 }];
const ok: Entry = { id: '0a', group: 'preferred', weight: 3, partySize: 2 };

function rejects(entries: Entry[], parameters: DrawParameters, path: string, seed: Uint8Array = seedOf(0)) {
  assert.throws(() => draw(entries, parameters, seed), (e: unknown) => e instanceof DrawInputError && e.path === path);
}

describe('input validation', () => {
  it('rejects bad entries with the offending path', () => {
    const p = { seats: 3, groups };
    rejects([{ ...ok, id: '0A' }], p, 'entries[0].id');
    rejects([{ ...ok, id: '' }], p, 'entries[0].id');
    rejects([ok, { ...ok }], p, 'entries[1].id');
    rejects([{ ...ok, group: 'nope' }], p, 'entries[0].group');
    rejects([{ ...ok, weight: 1 }], p, 'entries[0].weight');
    rejects([{ ...ok, partySize: 0 }], p, 'entries[0].partySize');
    rejects([{ ...ok, partySize: 1.5 }], p, 'entries[0].partySize');
  });

  it('rejects bad parameters', () => {
    rejects([], { seats: -1, groups }, 'parameters.seats');
    rejects([], { seats: 1, groups: [...groups, { key: 'other', weight: 1 }] }, 'parameters.groups[2].key');
    rejects([], { seats: 1, groups: [{ key: '__proto__', weight: 1 }] }, 'parameters.groups[0].key');
    rejects([], { seats: 1, groups: [{ key: '', weight: 1 }] }, 'parameters.groups[0].key');
    rejects([], { seats: 1, groups: [{ key: 'a', weight: 0 }] }, 'parameters.groups[0].weight');
    rejects([], { seats: 1, groups: [{ key: 'a', weight: 1001 }] }, 'parameters.groups[0].weight');
    rejects([], { seats: 1, groups: [{ key: 'a', weight: 1, minBasisPoints: 10001 }] }, 'parameters.groups[0].minBasisPoints');
    rejects([], { seats: 1, groups: [{ key: 'a', weight: 1, minBasisPoints: 0.5 }] }, 'parameters.groups[0].minBasisPoints');
    rejects([], { seats: 1, groups: [{ key: 'a', weight: 1, minBasisPoints: 6000, maxBasisPoints: 5000 }] }, 'parameters.groups[0].minBasisPoints');
    rejects(
      [],
      { seats: 1, groups: [{ key: 'a', weight: 1, minBasisPoints: 6000 }, { key: 'b', weight: 1, minBasisPoints: 4001 }] },
      'parameters.groups',
    );
  });

  it('requires a 32-byte seed', () => {
    rejects([ok], { seats: 1, groups }, 'seed', new Uint8Array(31));
  });
});
