import { createCipheriv } from 'node:crypto';
import type { SplitKeys } from './radix-sort.ts';
import { DrawInputError, SEED_BYTES } from './types.ts';

/** Bytes of keystream per ticket. */
export const TICKET_BYTES = 8;
const CHUNK_BYTES = 1 << 20; // multiple of TICKET_BYTES, so a ticket never straddles two chunks
const TWO_32 = 4294967296;
const LOW_21_BITS = 0x1fffff;

/**
 * The draw's only source of randomness: AES-256-CTR with key = seed and an all-zero initial
 * counter block, i.e. AES(seed, 0) ‖ AES(seed, 1) ‖ … (128-bit big-endian counter). It is a
 * standard, fast (AES-NI) and unambiguous PRF stream, available in every language.
 */
export function keystreamCipher(seed: Uint8Array) {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new DrawInputError('seed', 'must be 32 bytes');
  return createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
}

/**
 * Keys in canonical order: the entry of rank i (ascending id) is weights[canonical[i]] (or
 * weights[i] when canonical is null) and owns that many consecutive tickets of 8 keystream bytes.
 * A ticket's value is the big-endian uint64 with its top 11 bits cleared: a uniform integer in
 * [0, 2^53). The entry's key is the maximum of its tickets, returned as hi/lo halves (written into
 * `out` when given).
 *
 * Why this is weighted sampling: think of every ticket as a lottery ball with a uniform number.
 * The entry whose best ticket is highest overall owns the highest ball, and the highest ball is
 * equally likely to be any of the W balls, so an entry with w tickets comes first with probability
 * w/W. Removing it, the same argument applies to the rest: the draw order is a weighted sample
 * without replacement (Efraimidis–Spirakis, whose key u^(1/w) has the law of a max of w uniforms),
 * computed with integers only. Equal keys (probability ≈ 2^-53 per pair) are broken by entry id.
 *
 * 53 bits: the widest integer a double holds exactly, so a ticket is a plain JS number and `>` on
 * it is an exact integer comparison.
 */
export function deriveKeys(
  weights: ArrayLike<number>,
  seed: Uint8Array,
  canonical: Uint32Array | null = null,
  out?: SplitKeys,
): SplitKeys {
  const cipher = keystreamCipher(seed);
  const n = weights.length;
  // Weights in rank order first: a tight gather loop overlaps its cache misses far better than
  // the same random reads spread through the keystream loop.
  let w = weights;
  if (canonical !== null) {
    const gathered = new Uint16Array(n);
    for (let i = 0; i < n; i++) gathered[i] = weights[canonical[i]];
    w = gathered;
  }
  let remaining = 0; // keystream bytes still to generate: never more than the tickets need
  for (let i = 0; i < n; i++) remaining += w[i] * TICKET_BYTES;
  const zeros = Buffer.alloc(Math.min(CHUNK_BYTES, remaining));
  const hi = out?.hi ?? new Uint32Array(n);
  const lo = out?.lo ?? new Uint32Array(n);
  let view = new DataView(new ArrayBuffer(0));
  let off = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let t = w[i]; t > 0; t--) {
      if (off === view.byteLength) {
        const size = Math.min(CHUNK_BYTES, remaining);
        remaining -= size;
        const chunk = cipher.update(size === zeros.length ? zeros : zeros.subarray(0, size));
        view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        off = 0;
      }
      const v = (view.getUint32(off) & LOW_21_BITS) * TWO_32 + view.getUint32(off + 4);
      off += TICKET_BYTES;
      if (v > best) best = v;
    }
    const h = Math.floor(best / TWO_32); // exact: division by a power of two
    hi[i] = h;
    lo[i] = best - h * TWO_32;
  }
  return { hi, lo };
}

/** The key of rank i as one number (exact: < 2^53). */
export function keyAt(keys: SplitKeys, i: number): number {
  return keys.hi[i] * TWO_32 + keys.lo[i];
}
