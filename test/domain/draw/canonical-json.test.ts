import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, sha256CanonicalJson, sha256Hex } from '../../../src/domain/draw/index.ts';
import { refCanonicalJson } from './reference-impl.ts';

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units, no whitespace, nested', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: -2 }], B: {} }), '{"B":{},"a":[true,null,{"c":-2,"d":"x"}],"b":1}');
    assert.equal(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2 }), '{"\u{1F600}":1,"\uFFFF":2}');
  });

  it('escapes strings like JSON.stringify', () => {
    assert.equal(canonicalJson('a"\\\n\u0001é\u2028\uD800'), '"a\\"\\\\\\n\\u0001é\u2028\\ud800"');
  });

  it('refuses what would be ambiguous', () => {
    for (const bad of [1.5, 2 ** 53, NaN, undefined, { a: undefined }, new Date(0), () => 1, 10n]) {
      assert.throws(() => canonicalJson(bad), TypeError);
    }
  });

  it('streams to the same hash as hashing the whole string, and matches the reference', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => ({ id: i.toString(16), group: 'é\u{1F600}', weight: i, partySize: 1 }));
    assert.equal(sha256CanonicalJson(big).toString('hex'), sha256Hex(canonicalJson(big)));
    assert.equal(canonicalJson(big), refCanonicalJson(big));
  });
});
