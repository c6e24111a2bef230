/**
 * Real drand quicknet beacons, recorded from the public relay
 * (https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/2 and /3; the same
 * values appear in the test vectors of ChainSafe/forest). Nothing here is trusted: test/domain/draw/drand.test.ts
 * verifies both against the public key shipped in src/domain/draw/drand.ts.
 */
export const QUICKNET_ROUND_2 = {
  round: 2,
  signature: 'b6b6a585449b66eb12e875b64fcbab3799861a00e4dbf092d99e969a5eac57dd3f798acf61e705fe4f093db926626807',
} as const;

export const QUICKNET_ROUND_3 = {
  round: 3,
  signature: 'b3fab6df720b68cc47175f2c777e86d84187caab5770906f515ff1099cb01e4deaa027075d860823e49477b93c72bd64',
} as const;

/** Round 3's time: genesis 1692803367 + (3 − 1) × 3 s. */
export const ROUND_3_AT = '2023-08-23T15:09:33.000Z';

/** The signature with one bit flipped (in the last byte). */
export function flipBit(signatureHex: string, bit = 0): string {
  const b = Buffer.from(signatureHex, 'hex');
  b[b.length - 1] ^= 1 << bit;
  return b.toString('hex');
}
