import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt at OWASP's current recommendation (Password Storage Cheat Sheet): N=2^17, r=8, p=1, or an equal-cost
 * variant; we use N=2^16, r=8, p=2 — the same work, half the memory (64 MiB) per hash, which matters when several
 * sign-ins run at once on Node's four-thread pool. Hashes are self-describing (scrypt$N$r$p$salt$key), so older,
 * cheaper hashes still verify and are upgraded at the next sign-in (needsRehash).
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
export const CURRENT_COST: ScryptCost = { N: 65536, r: 8, p: 2 };
const KEYLEN = 64;
/** Above the largest cost we accept to verify (N·r·128 bytes), so a stored hash cannot make us allocate more. */
const MAXMEM = 160 * 1024 * 1024;
const MAX_WORK = 2 ** 20 * 8 * 4;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEYLEN, { N: cost.N, r: cost.r, p: cost.p, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost: ScryptCost = CURRENT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string | null): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N * r * p > MAX_WORK || (N & (N - 1)) !== 0) return null;
  return { cost: { N, r, p }, salt: Buffer.from(parts[4], 'base64'), key: Buffer.from(parts[5], 'base64') };
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Always spend the same work, even for unknown users, so timing does not reveal which emails exist.
  const parsed = parse(stored);
  const key = await derive(password, parsed?.salt ?? Buffer.alloc(16), parsed?.cost ?? CURRENT_COST);
  return !!parsed && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** A stored hash made with less work than we use now (or not ours at all): hash the password again. */
export function needsRehash(stored: string | null): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { N, r, p } = parsed.cost;
  return N * r * p < CURRENT_COST.N * CURRENT_COST.r * CURRENT_COST.p || N * r < CURRENT_COST.N * CURRENT_COST.r;
}
