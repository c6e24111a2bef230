import { createHash, timingSafeEqual } from 'node:crypto';
import { newToken, type RandomSource } from './random.ts';

/**
 * Split capability tokens (ADR 0004, "Split tokens"): `<row id>-<secret>`. The row stores
 * `<row id>.<SHA-256 of the secret>` in its unique token column, so
 *  - the index entry written for a new row sorts by the row's time-ordered id: it lands at the right edge of
 *    the index (the page the previous row dirtied) instead of on a random page, as a hash of a random token did;
 *  - a lookup is a primary-key read, then the secret's hash is compared in constant time.
 * Tokens without the id part (every link made before, and application_links made elsewhere) keep working: they
 * are 27 characters long, a split token 54, and their stored hex hash contains no '.', so the two kinds are never
 * mistaken for each other.
 *
 * The separator is '-', not the '.' of issue 12: it keeps the whole token inside the base64url alphabet that every
 * scrubber matches (mail/capability-links.ts for what staff may read, platform/log-redaction.ts): with '.' they
 * would redact the id and leave `.<secret>` readable. The id has a fixed length, so the split is unambiguous.
 * Like every token, only a hash is stored; the token itself is never logged or shown to staff.
 */

/** Row ids are time-ordered ULIDs (platform/random.ts newId): 26 Crockford base32 digits, lowercase. */
const SPLIT = /^([0-9a-hjkmnp-tv-z]{26})-([A-Za-z0-9_-]{20,64})$/;

export interface SplitToken {
  id: string;
  secret: string;
}

export function newSplitToken(id: string, random: RandomSource): string {
  return `${id}-${newToken(random)}`;
}

export function parseSplitToken(token: string): SplitToken | null {
  const m = SPLIT.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

const secretHash = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** What the row keeps of a split token: its id and the SHA-256 of its secret. */
export function storedSplitToken(t: SplitToken): string {
  return `${t.id}.${secretHash(t.secret)}`;
}

/** Whether a stored value belongs to this token; the secret's hash is compared in constant time. */
export function splitTokenMatches(stored: string, t: SplitToken): boolean {
  const expected = Buffer.from(storedSplitToken(t));
  const actual = Buffer.from(stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
