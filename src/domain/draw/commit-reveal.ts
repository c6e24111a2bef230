import { createHash } from 'node:crypto';
import { sha256CanonicalJson, type JsonValue } from './canonical-json.ts';
import { DrawInputError, type DrawParameters, type Entry } from './types.ts';

/**
 * Commit–reveal. Before applications close, the organiser publishes commitment = SHA-256(secret)
 * (secret: 32 random bytes). At the freeze, the exact inputs are published as freezeHash. The seed
 * is then SHA-256(secret ‖ freezeHash ‖ public randomness). Nobody can steer the result: the
 * organiser fixed the secret before knowing the entries, applicants never learn it before the
 * freeze, and optional public randomness (e.g. a future drand round, named at the freeze but
 * unknown until after it) stops even the organiser from predicting the outcome in advance.
 */

/** The first format: optional, unchecked public randomness named by a free-text label. */
export const BUNDLE_FORMAT = 'admit-draw/1';
/** The current format: the public randomness is a drand round (verified) or an explicitly unverified source. */
export const BUNDLE_FORMAT_V2 = 'admit-draw/2';
export const HEX_32_BYTES = /^[0-9a-f]{64}$/;
/** The one timestamp form accepted: Date.prototype.toISOString(), UTC with milliseconds. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type { JsonValue };

/** Small public description of the event; any canonical-JSON value besides the slug. */
export interface DrawEventMetadata {
  slug: string;
  [key: string]: JsonValue;
}

/** What is frozen: everything the draw depends on except the secret and the public randomness value. */
export interface FreezeRecord {
  format: string;
  event: DrawEventMetadata;
  parameters: DrawParameters;
  commitment: string;
  committedAt: string;
  frozenAt: string;
  /** Names the public randomness that will be mixed in (unknown at freeze time), or null for none. */
  publicRandomnessLabel: string | null;
  /** Canonical order, exactly the fields id, group, weight, partySize. */
  entries: Entry[];
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A real instant in toISOString form: minute 60 or month 13 match the pattern but are no calendar time. */
export function isIsoTimestamp(s: unknown): s is string {
  if (typeof s !== 'string' || !ISO_TIMESTAMP.test(s)) return false;
  const d = new Date(s);
  return !Number.isNaN(d.getTime()) && d.toISOString() === s;
}

/** Where the public randomness of an admit-draw/2 draw comes from, fixed at the commitment. */
export type RandomnessSource = { kind: 'drand'; chain: string; round: number } | { kind: 'unverified'; label: string };

/** The freeze record of admit-draw/2: as /1, with the named source instead of a free-text label. */
export interface FreezeRecordV2 {
  format: typeof BUNDLE_FORMAT_V2;
  event: DrawEventMetadata;
  parameters: DrawParameters;
  commitment: string;
  committedAt: string;
  frozenAt: string;
  publicRandomness: RandomnessSource;
  entries: Entry[];
}

function hexBytes(hex: string, path: string): Buffer {
  if (typeof hex !== 'string' || !HEX_32_BYTES.test(hex)) throw new DrawInputError(path, 'must be 64 lowercase hex characters');
  return Buffer.from(hex, 'hex');
}

/** commitment = lowercase hex SHA-256 of the 32 secret bytes (not of their hex text). */
export function commitmentOf(secretHex: string): string {
  return sha256Hex(hexBytes(secretHex, 'secret'));
}

/** freezeHash = lowercase hex SHA-256 of the canonical JSON of the freeze record. */
export function freezeHashOf(record: FreezeRecord | FreezeRecordV2): string {
  return sha256CanonicalJson(record).toString('hex');
}

/**
 * seed = SHA-256(secret bytes (32) ‖ freezeHash bytes (32) ‖ UTF-8 of the public randomness value,
 * or nothing when there is none). The two fixed-length parts make the concatenation unambiguous.
 */
export function deriveSeed(secretHex: string, freezeHashHex: string, publicRandomnessValue: string | Uint8Array | null): Buffer {
  const h = createHash('sha256').update(hexBytes(secretHex, 'secret')).update(hexBytes(freezeHashHex, 'freezeHash'));
  if (typeof publicRandomnessValue === 'string') h.update(publicRandomnessValue, 'utf8');
  else if (publicRandomnessValue) h.update(publicRandomnessValue);
  return h.digest();
}

/** resultHash = lowercase hex SHA-256 of the canonical JSON array of entry ids in draw order. */
export function resultHashOf(order: readonly string[]): string {
  return sha256CanonicalJson(order).toString('hex');
}
