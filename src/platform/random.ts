import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/**
 * Secrets and identifiers come from here. Tests may pass a deterministic source;
 * the default is the operating system's CSPRNG.
 */
export interface RandomSource {
  bytes(n: number): Buffer;
}

/**
 * The operating system's CSPRNG, drawn 4 KiB at a time: one `randomFillSync` per ~200 tokens instead of one
 * `randomBytes` call (a native job, an allocation) per token — on the event page of a rush each visitor needs
 * two (issue 12, ADR 0012). Node's own `randomUUID` buffers the same way. Every byte is handed out once, as a
 * copy, so no caller can see or change another's.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let poolAt = POOL_SIZE;
function pooledRandomBytes(n: number): Buffer {
  if (n > 256) return randomBytes(n);
  if (poolAt + n > POOL_SIZE) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, poolAt, poolAt + n);
  pool.fill(0, poolAt, poolAt + n);
  poolAt += n;
  return out;
}

export const cryptoRandom: RandomSource = { bytes: pooledRandomBytes };

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
