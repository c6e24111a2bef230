import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets and identifiers come from here. Tests may pass a deterministic source;
 * the default is the operating system's CSPRNG.
 */
export interface RandomSource {
  bytes(n: number): Buffer;
}

/**
 * The operating system's CSPRNG, drawn in 4 KB blocks: a token or an id needs 10–20 bytes, and one
 * randomBytes call per draw (two tokens and the ids of each application) cost ~4 % of the event loop in the intake
 * profile (ADR 0004). Each draw gets its own copy, never a view into the block, and the block's used bytes are
 * zeroed, so no caller can read another caller's bytes. Large draws go straight to randomBytes.
 */
const BLOCK = 4096;
let block = Buffer.alloc(0);
let used = BLOCK;
export const cryptoRandom: RandomSource = {
  bytes(n) {
    if (n > 256) return randomBytes(n);
    if (used + n > block.length) {
      block = randomBytes(BLOCK);
      used = 0;
    }
    const out = Buffer.alloc(n);
    block.copy(out, 0, used, used + n);
    block.fill(0, used, used + n);
    used += n;
    return out;
  },
};

/** Deterministic source for tests: SHA-256 in counter mode over a seed string. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return {
    bytes(n: number): Buffer {
      const out = Buffer.alloc(n);
      let off = 0;
      while (off < n) {
        const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
        off += block.copy(out, off);
      }
      return out;
    },
  };
}

/** A bearer token of 160 bits, URL-safe. Stored only as its SHA-256 hash. */
export function newToken(random: RandomSource): string {
  return random.bytes(20).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

let lastTime = -1;
// The 80 random bits as two 40-bit halves (plain numbers: exact up to 2^53, no BigInt on the hot path).
let lastHi = 0;
let lastLo = 0;
const HALF = 2 ** 40;

/**
 * Time-ordered identifier (ULID layout: 48-bit ms time + 80 random bits, Crockford base32, lowercase).
 * Monotonic within a process: ids made in the same millisecond (or with a clock that stands still,
 * as in tests) increment the random part, so sorting by id always sorts by creation order here.
 * Keyset pagination and the audit log rely on that.
 */
export function newId(now: Date, random: RandomSource): string {
  let time = now.getTime();
  let hi: number;
  let lo: number;
  if (time <= lastTime && !(lastHi === HALF - 1 && lastLo === HALF - 1)) {
    time = lastTime;
    hi = lastHi;
    lo = lastLo + 1;
    if (lo === HALF) {
      lo = 0;
      hi++;
    }
  } else {
    const b = random.bytes(10);
    hi = Math.floor(b.readUIntBE(0, 5) / 2); // top bit clear: room to increment
    lo = b.readUIntBE(5, 5);
  }
  lastTime = time;
  lastHi = hi;
  lastLo = lo;
  return base32(time, 10) + base32(hi, 8) + base32(lo, 8);
}

/** n Crockford base32 digits of a non-negative integer below 2^53 (most significant first). */
function base32(x: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    out = CROCKFORD[x % 32] + out;
    x = Math.floor(x / 32);
  }
  return out;
}
