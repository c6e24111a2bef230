import { createHash } from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';

/**
 * drand beacons: public randomness nobody (not even the organizer) knows before its round's time, and
 * everybody can check afterwards against the chain's public key. Spec: docs/mechanisms/draw.md 2.3;
 * decision: docs/adr/0011-drand-and-a-draw-that-runs-itself.md.
 *
 * quicknet ("bls-unchained-g1-rfc9380"): a round is signed on its own, without the previous signature,
 * so the signed message is known in advance: SHA-256(round as 8 bytes big-endian). Signatures are
 * compressed G1 points (48 bytes), the public key a compressed G2 point (96 bytes), hashing to G1 with
 * the RFC 9380 domain separation tag below. randomness = SHA-256(signature).
 */
export interface DrandChain {
  /** Chain hash (hex): names the chain in commitments and URLs. */
  hash: string;
  /** Compressed G2 public key of the League of Entropy group (hex). */
  publicKey: string;
  /** Unix seconds of round 1. */
  genesisTime: number;
  /** Seconds between rounds. */
  period: number;
  scheme: 'bls-unchained-g1-rfc9380';
  name: string;
}

/** drand quicknet on the League of Entropy mainnet (https://api.drand.sh/<hash>/info). */
export const QUICKNET: DrandChain = Object.freeze({
  hash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesisTime: 1692803367,
  period: 3,
  scheme: 'bls-unchained-g1-rfc9380',
  name: 'drand quicknet',
});

/** The chains a bundle may name: only ones whose key ships with the code (an unknown key proves nothing). */
export const DRAND_CHAINS: ReadonlyMap<string, DrandChain> = new Map([[QUICKNET.hash, QUICKNET]]);

export const QUICKNET_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
/** Largest round accepted: keeps round × period exact in a double and the 8-byte message well defined. */
export const MAX_ROUND = 2 ** 40;
const SIGNATURE_HEX = /^[0-9a-f]{96}$/;

export interface Beacon {
  round: number;
  /** Compressed G1 signature, 96 lowercase hex characters. */
  signature: string;
}

/** The round's time, in milliseconds since the epoch: genesis + (round − 1) × period. */
export function roundTimeMs(chain: DrandChain, round: number): number {
  return (chain.genesisTime + (round - 1) * chain.period) * 1000;
}

/** The first round whose time is strictly after `ms`. */
export function firstRoundAfter(chain: DrandChain, ms: number): number {
  const genesisMs = chain.genesisTime * 1000;
  if (ms < genesisMs) return 1;
  return Math.floor((ms - genesisMs) / (chain.period * 1000)) + 2;
}

export function isRound(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= MAX_ROUND;
}

/** The signed message of an unchained round: SHA-256 of the round as an unsigned 64-bit big-endian integer. */
export function roundMessage(round: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(round));
  return createHash('sha256').update(b).digest();
}

/**
 * True only when `signature` is the chain's signature of `round`. Never throws: a malformed point, a
 * point not on the curve or in the subgroup, or a signature of another round all simply fail.
 */
export function verifyBeacon(chain: DrandChain, beacon: Beacon): boolean {
  if (!isRound(beacon.round) || typeof beacon.signature !== 'string' || !SIGNATURE_HEX.test(beacon.signature)) return false;
  try {
    const sig = bls.shortSignatures.Signature.fromBytes(Buffer.from(beacon.signature, 'hex'));
    const msg = bls.shortSignatures.hash(roundMessage(beacon.round), QUICKNET_DST);
    return bls.shortSignatures.verify(sig, msg, Buffer.from(chain.publicKey, 'hex'));
  } catch {
    return false;
  }
}

/** The round's randomness: SHA-256 of the signature bytes (what drand publishes as "randomness"). */
export function beaconRandomness(signatureHex: string): Buffer {
  return createHash('sha256').update(Buffer.from(signatureHex, 'hex')).digest();
}

export class BeaconFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * A round as drand's HTTP API returns it, or as a person pastes it: {"round": 123, "signature": "…"}
 * (other fields such as "randomness" may be present and must then agree). Throws BeaconFormatError.
 */
export function parseBeacon(x: unknown): Beacon {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new BeaconFormatError('beacon', 'must be a JSON object with "round" and "signature"');
  const o = x as Record<string, unknown>;
  if (!isRound(o.round)) throw new BeaconFormatError('round', 'must be a positive whole number');
  if (typeof o.signature !== 'string' || !SIGNATURE_HEX.test(o.signature.toLowerCase())) {
    throw new BeaconFormatError('signature', 'must be 96 hexadecimal characters (a quicknet signature)');
  }
  const signature = o.signature.toLowerCase();
  if (o.randomness !== undefined && (typeof o.randomness !== 'string' || o.randomness.toLowerCase() !== beaconRandomness(signature).toString('hex'))) {
    throw new BeaconFormatError('randomness', 'is not SHA-256 of the signature');
  }
  return { round: o.round, signature };
}
