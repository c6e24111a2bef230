import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  beaconRandomness,
  firstRoundAfter,
  parseBeacon,
  QUICKNET,
  roundTimeMs,
  verifyBeacon,
  BeaconFormatError,
} from '../../../src/domain/draw/index.ts';
import { roundMessage } from '../../../src/domain/draw/drand.ts';
import { flipBit, QUICKNET_ROUND_2, QUICKNET_ROUND_3, ROUND_3_AT } from './drand-fixtures.ts';

test('recorded quicknet rounds verify against the shipped public key (they are real)', () => {
  assert.equal(verifyBeacon(QUICKNET, QUICKNET_ROUND_2), true);
  assert.equal(verifyBeacon(QUICKNET, QUICKNET_ROUND_3), true);
});

test('forged beacons are refused: one bit flipped, another round\'s signature, a wrong key, garbage', () => {
  for (let bit = 0; bit < 8; bit++) assert.equal(verifyBeacon(QUICKNET, { round: 3, signature: flipBit(QUICKNET_ROUND_3.signature, bit) }), false, `bit ${bit}`);
  assert.equal(verifyBeacon(QUICKNET, { round: 3, signature: QUICKNET_ROUND_2.signature }), false);
  assert.equal(verifyBeacon(QUICKNET, { round: 4, signature: QUICKNET_ROUND_3.signature }), false);
  const otherKey = { ...QUICKNET, publicKey: QUICKNET.publicKey.replace(/^83/, '93') };
  assert.equal(verifyBeacon(otherKey, QUICKNET_ROUND_3), false);
  assert.equal(verifyBeacon(QUICKNET, { round: 3, signature: '00'.repeat(48) }), false);
  assert.equal(verifyBeacon(QUICKNET, { round: 3, signature: 'zz' }), false);
  assert.equal(verifyBeacon(QUICKNET, { round: 0, signature: QUICKNET_ROUND_3.signature }), false);
});

test('round times and messages follow the chain info', () => {
  assert.equal(new Date(roundTimeMs(QUICKNET, 3)).toISOString(), ROUND_3_AT);
  assert.equal(firstRoundAfter(QUICKNET, Date.parse(ROUND_3_AT) - 1), 3);
  assert.equal(firstRoundAfter(QUICKNET, Date.parse(ROUND_3_AT)), 4, 'strictly after');
  assert.equal(firstRoundAfter(QUICKNET, 0), 1);
  assert.equal(roundMessage(3).toString('hex'), createHash('sha256').update(Buffer.from('0000000000000003', 'hex')).digest('hex'));
  assert.equal(beaconRandomness(QUICKNET_ROUND_3.signature).toString('hex'), createHash('sha256').update(Buffer.from(QUICKNET_ROUND_3.signature, 'hex')).digest('hex'));
});

test('a pasted round JSON is read strictly', () => {
  const randomness = beaconRandomness(QUICKNET_ROUND_3.signature).toString('hex');
  assert.deepEqual(parseBeacon({ round: 3, randomness, signature: QUICKNET_ROUND_3.signature.toUpperCase() }), QUICKNET_ROUND_3);
  const field = (x: unknown) => {
    try {
      parseBeacon(x);
    } catch (e) {
      assert.ok(e instanceof BeaconFormatError);
      return e.field;
    }
    return 'accepted';
  };
  assert.equal(field(null), 'beacon');
  assert.equal(field({ round: '3', signature: QUICKNET_ROUND_3.signature }), 'round');
  assert.equal(field({ round: 3.5, signature: QUICKNET_ROUND_3.signature }), 'round');
  assert.equal(field({ round: 3, signature: 'abc' }), 'signature');
  assert.equal(field({ round: 3, signature: QUICKNET_ROUND_3.signature, randomness: 'ff' }), 'randomness');
});
