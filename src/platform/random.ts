import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets and identifiers come from here. Tests may pass a deterministic source;
 * the default is the operating system's CSPRNG.
 */
export interface RandomSource {
  bytes(n: number): Buffer;
}

export const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

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
let lastRandom = 0n;
const RANDOM_MAX = (1n << 80n) - 1n;

/**
 * Time-ordered identifier (ULID layout: 48-bit ms time + 80 random bits, Crockford base32, lowercase).
 * Monotonic within a process: ids made in the same millisecond (or with a clock that stands still,
 * as in tests) increment the random part, so sorting by id always sorts by creation order here.
 * Keyset pagination and the audit log rely on that.
 */
export function newId(now: Date, random: RandomSource): string {
  let time = now.getTime();
  let rand: bigint;
  if (time <= lastTime && lastRandom < RANDOM_MAX) {
    time = lastTime;
    rand = lastRandom + 1n;
  } else {
    rand = BigInt(`0x${random.bytes(10).toString('hex')}`) >> 1n; // top bit clear: room to increment
  }
  lastTime = time;
  lastRandom = rand;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  for (let i = 0; i < 16; i++) {
    tail = CROCKFORD[Number(rand & 31n)] + tail;
    rand >>= 5n;
  }
  return head + tail;
}
