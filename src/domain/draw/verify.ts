import { canonicalJson } from './canonical-json.ts';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V2,
  HEX_32_BYTES,
  commitmentOf,
  deriveSeed,
  freezeHashOf,
  isIsoTimestamp,
  resultHashOf,
  type DrawEventMetadata,
} from './commit-reveal.ts';
import { checkRandomnessSource, checkRevealedRandomness, randomnessBytes, type DrawBundle, type DrawBundleV2, type PublicRandomnessV2 } from './bundle.ts';
import { isRound } from './drand.ts';
import { parseStrictJson, StrictJsonError } from './strict-json.ts';
import { drawPrepared } from './draw.ts';
import { prepareDraw } from './prepare.ts';
import { DrawInputError, type DrawParameters, type Entry } from './types.ts';

export type VerifyResult = { ok: true } | { ok: false; mismatch: string; message: string };

class Mismatch extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const BUNDLE_KEYS = [
  'format', 'event', 'parameters', 'commitment', 'committedAt', 'frozenAt', 'freezeHash',
  'publicRandomness', 'secret', 'seed', 'entries', 'result', 'resultHash',
];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Exactly these keys: an added or missing field is a change too. */
function exactKeys(x: unknown, keys: readonly string[], path: string): Record<string, unknown> {
  if (!isObject(x)) throw new Mismatch(path, 'must be an object');
  for (const k of keys) if (!(k in x)) throw new Mismatch(path ? `${path}.${k}` : k, 'is missing');
  for (const k of Object.keys(x)) if (!keys.includes(k)) throw new Mismatch(path ? `${path}.${k}` : k, 'is not part of the format');
  return x;
}

function hex32(b: Record<string, unknown>, field: string): string {
  const v = b[field];
  if (typeof v !== 'string' || !HEX_32_BYTES.test(v)) throw new Mismatch(field, 'must be 64 lowercase hex characters');
  return v;
}

function sameList(found: unknown, expected: readonly string[], path: string): void {
  if (!Array.isArray(found)) throw new Mismatch(path, 'must be an array');
  const n = Math.min(found.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (found[i] !== expected[i]) {
      throw new Mismatch(path, `differs at position ${i}: expected ${expected[i]}, found ${JSON.stringify(found[i])}`);
    }
  }
  if (found.length !== expected.length) throw new Mismatch(path, `has ${found.length} items, expected ${expected.length}`);
}

/** Structure and formats; returns the bundle typed once it is known to have the right shape. */
function checkShape(x: unknown): DrawBundle | DrawBundleV2 {
  if (isObject(x) && x.format !== BUNDLE_FORMAT && x.format !== BUNDLE_FORMAT_V2) {
    throw new Mismatch('format', `unsupported format ${JSON.stringify(x.format)} (this verifier reads ${BUNDLE_FORMAT} and ${BUNDLE_FORMAT_V2})`);
  }
  const b = exactKeys(x, BUNDLE_KEYS, '');

  const event = b.event;
  if (!isObject(event) || typeof event.slug !== 'string' || event.slug === '') throw new Mismatch('event.slug', 'must be a non-empty string');
  try {
    canonicalJson(event);
  } catch (e) {
    throw new Mismatch('event', (e as Error).message);
  }

  const parameters = exactKeys(b.parameters, ['seats', 'groups'], 'parameters');
  if (!Array.isArray(parameters.groups)) throw new Mismatch('parameters.groups', 'must be an array');
  parameters.groups.forEach((g, i) => exactKeys(g, ['key', 'weight', 'minBasisPoints', 'maxBasisPoints'], `parameters.groups[${i}]`));

  for (const f of ['commitment', 'freezeHash', 'secret', 'seed', 'resultHash']) hex32(b, f);
  for (const f of ['committedAt', 'frozenAt']) if (!isIsoTimestamp(b[f])) throw new Mismatch(f, 'must be an ISO timestamp (toISOString form)');
  if ((b.committedAt as string) > (b.frozenAt as string)) throw new Mismatch('committedAt', 'is later than frozenAt');

  if (b.format === BUNDLE_FORMAT_V2) {
    const kind = isObject(b.publicRandomness) ? b.publicRandomness.kind : undefined;
    if (kind === 'drand') {
      const pr = exactKeys(b.publicRandomness, ['kind', 'chain', 'round', 'signature'], 'publicRandomness');
      if (typeof pr.chain !== 'string' || !HEX_32_BYTES.test(pr.chain)) throw new Mismatch('publicRandomness.chain', 'must be 64 lowercase hex characters');
      if (!isRound(pr.round)) throw new Mismatch('publicRandomness.round', 'must be a positive integer');
      if (typeof pr.signature !== 'string' || !/^[0-9a-f]{96}$/.test(pr.signature)) throw new Mismatch('publicRandomness.signature', 'must be 96 lowercase hex characters');
    } else if (kind === 'unverified') {
      const pr = exactKeys(b.publicRandomness, ['kind', 'label', 'value'], 'publicRandomness');
      if (typeof pr.label !== 'string' || pr.label === '') throw new Mismatch('publicRandomness.label', 'must be a non-empty string');
      if (typeof pr.value !== 'string') throw new Mismatch('publicRandomness.value', 'must be a string');
    } else {
      throw new Mismatch('publicRandomness.kind', 'must be "drand" or "unverified"');
    }
  } else if (b.publicRandomness !== null) {
    const pr = exactKeys(b.publicRandomness, ['label', 'value'], 'publicRandomness');
    if (typeof pr.label !== 'string' || pr.label === '') throw new Mismatch('publicRandomness.label', 'must be a non-empty string');
    if (typeof pr.value !== 'string') throw new Mismatch('publicRandomness.value', 'must be a string');
  }

  if (!Array.isArray(b.entries)) throw new Mismatch('entries', 'must be an array');
  b.entries.forEach((e, i) => exactKeys(e, ['id', 'group', 'weight', 'partySize'], `entries[${i}]`));

  const result = exactKeys(b.result, ['order', 'selected', 'waitlist', 'seatsByGroup'], 'result');
  if (!isObject(result.seatsByGroup)) throw new Mismatch('result.seatsByGroup', 'must be an object');
  return b as unknown as DrawBundle | DrawBundleV2;
}

function check(x: unknown): void {
  const b = checkShape(x);
  const prepared = prepareDraw(b.entries, b.parameters); // validates values; throws DrawInputError
  if (prepared.canonical !== null) {
    const i = b.entries.findIndex((e, k) => k > 0 && !(b.entries[k - 1].id < e.id));
    throw new Mismatch(`entries[${i}].id`, 'entries are not in canonical (ascending id) order');
  }

  if (commitmentOf(b.secret) !== b.commitment) throw new Mismatch('commitment', 'SHA-256 of the secret does not equal the commitment');

  const common = {
    event: b.event as DrawEventMetadata,
    parameters: b.parameters as DrawParameters,
    commitment: b.commitment,
    committedAt: b.committedAt,
    frozenAt: b.frozenAt,
    entries: b.entries as Entry[],
  };
  let randomness: string | Uint8Array | null;
  let freezeHash: string;
  if (b.format === BUNDLE_FORMAT_V2) {
    const pr = b.publicRandomness as PublicRandomnessV2;
    const source = pr.kind === 'drand' ? { kind: 'drand' as const, chain: pr.chain, round: pr.round } : { kind: 'unverified' as const, label: pr.label };
    freezeHash = freezeHashOf({ format: BUNDLE_FORMAT_V2, ...common, publicRandomness: source });
    if (freezeHash !== b.freezeHash) throw new Mismatch('freezeHash', 'does not match the frozen inputs');
    // The round must not have existed at the freeze, and the signature must be the chain's.
    checkRandomnessSource(source, b.frozenAt);
    checkRevealedRandomness(pr);
    randomness = randomnessBytes(pr);
  } else {
    const pr = (b as DrawBundle).publicRandomness;
    freezeHash = freezeHashOf({ format: BUNDLE_FORMAT, ...common, publicRandomnessLabel: pr === null ? null : pr.label });
    if (freezeHash !== b.freezeHash) throw new Mismatch('freezeHash', 'does not match the frozen inputs');
    randomness = pr === null ? null : pr.value;
  }

  const seed = deriveSeed(b.secret, freezeHash, randomness);
  if (seed.toString('hex') !== b.seed) throw new Mismatch('seed', 'does not match SHA-256(secret ‖ freezeHash ‖ public randomness)');

  const expected = drawPrepared(prepared, seed);
  sameList(b.result.order, expected.order, 'result.order');
  sameList(b.result.selected, expected.selected, 'result.selected');
  sameList(b.result.waitlist, expected.waitlist, 'result.waitlist');
  if (canonicalJson(b.result.seatsByGroup) !== canonicalJson(expected.seatsByGroup)) {
    throw new Mismatch('result.seatsByGroup', `expected ${canonicalJson(expected.seatsByGroup)}`);
  }
  if (resultHashOf(expected.order) !== b.resultHash) throw new Mismatch('resultHash', 'does not match the draw order');
}

/**
 * Re-derives everything in a bundle from its inputs. Reports the first field that does not match,
 * checking in this order: shape and formats, entry validity and canonical order, commitment,
 * freezeHash, seed, result.order, result.selected, result.waitlist, result.seatsByGroup, resultHash.
 * What it cannot know: that the commitment and freeze hash were really published at the stated
 * times, and that the public randomness value is the real one — compare those with the
 * published records.
 */
export function verifyBundle(bundle: unknown): VerifyResult {
  try {
    check(bundle);
    return { ok: true };
  } catch (e) {
    if (e instanceof Mismatch) return { ok: false, mismatch: e.field, message: e.message };
    if (e instanceof DrawInputError) return { ok: false, mismatch: e.path, message: e.message };
    throw e;
  }
}

/**
 * The bundle as published (its text): read with the strict rules of 2.11.1 (no duplicate keys,
 * integers only as integers), then verifyBundle. A document that breaks a rule names the field.
 */
export function verifyBundleText(text: string): VerifyResult {
  let bundle: unknown;
  try {
    bundle = parseStrictJson(text);
  } catch (e) {
    if (e instanceof StrictJsonError) return { ok: false, mismatch: e.field, message: e.message };
    throw e;
  }
  return verifyBundle(bundle);
}
