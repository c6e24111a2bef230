import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoRandom, newId, seededRandom } from '../../src/platform/random.ts';

test('ids: 26 Crockford base32 characters, time first, strictly increasing within a millisecond and across', () => {
  const random = seededRandom('ids');
  const t = new Date('2026-11-23T10:00:00.000Z');
  const same = Array.from({ length: 1000 }, () => newId(t, random));
  for (const id of same) assert.match(id, /^[0-9a-hjkmnp-tv-z]{26}$/);
  for (let i = 1; i < same.length; i++) assert.ok(same[i - 1] < same[i], `${same[i - 1]} < ${same[i]}`);
  assert.equal(new Set(same.map((id) => id.slice(0, 10))).size, 1, 'one millisecond, one time prefix');
  const later = newId(new Date(t.getTime() + 1), random);
  assert.ok(later > same.at(-1)!);
  // a clock that goes back (NTP step) still gives increasing ids in this process
  assert.ok(newId(new Date(t.getTime() - 60_000), random) > later);
  // the time prefix decodes to the millisecond
  const decode = (s: string) => [...s].reduce((n, c) => n * 32 + '0123456789abcdefghjkmnpqrstvwxyz'.indexOf(c), 0);
  assert.equal(decode(newId(new Date('2030-01-01T00:00:00.000Z'), random).slice(0, 10)), Date.parse('2030-01-01T00:00:00.000Z'));
});

test('cryptoRandom: every draw is fresh and its own memory, across block refills', () => {
  const draws = Array.from({ length: 1000 }, (_, i) => cryptoRandom.bytes(1 + (i % 40)));
  draws.forEach((b, i) => assert.equal(b.length, 1 + (i % 40)));
  const long = draws.filter((b) => b.length >= 16).map((b) => b.toString('hex'));
  assert.equal(new Set(long).size, long.length, 'no repeats');
  for (const b of draws) assert.equal(b.buffer.byteLength, b.length, 'not a view into a shared block');
  assert.equal(cryptoRandom.bytes(5000).length, 5000);
  // Zero-filled bytes would show as a mean far from 127.5 over ~20,000 bytes.
  const all = Buffer.concat(draws);
  const mean = all.reduce((s, x) => s + x, 0) / all.length;
  assert.ok(mean > 120 && mean < 135, `mean byte ${mean}`);
});
