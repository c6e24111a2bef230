import { writeCanonicalJson } from './canonical-json.ts';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V2,
  commitmentOf,
  deriveSeed,
  freezeHashOf,
  isIsoTimestamp,
  resultHashOf,
  type DrawEventMetadata,
  type FreezeRecord,
  type FreezeRecordV2,
  type RandomnessSource,
} from './commit-reveal.ts';
import { beaconRandomness, DRAND_CHAINS, isRound, roundTimeMs, verifyBeacon } from './drand.ts';
import { drawPrepared } from './draw.ts';
import { prepareDraw, type PreparedDraw } from './prepare.ts';
import { DrawInputError, type DrawParameters, type DrawResult, type Entry, type GroupParameters } from './types.ts';

export interface PublicRandomness {
  /** What the value is, fixed at the freeze, e.g. "drand quicknet round 12345678". */
  label: string;
  /** The value, published after the freeze, e.g. the round's randomness in hex. */
  value: string;
}

/**
 * The audit bundle: everything needed to re-run and check a draw. Every field is either hashed
 * (into commitment, freezeHash, seed or resultHash) or recomputed by verifyBundle, so changing any
 * single field is detected.
 */
export interface DrawBundle {
  format: typeof BUNDLE_FORMAT;
  event: DrawEventMetadata;
  parameters: DrawParameters;
  commitment: string;
  committedAt: string;
  frozenAt: string;
  freezeHash: string;
  publicRandomness: PublicRandomness | null;
  secret: string;
  seed: string;
  /** Canonical order (ascending id). */
  entries: Entry[];
  result: DrawResult;
  resultHash: string;
}

export interface FreezeInput {
  event: DrawEventMetadata;
  parameters: DrawParameters;
  entries: readonly Entry[];
  commitment: string;
  committedAt: string;
  frozenAt: string;
  publicRandomnessLabel: string | null;
}

export interface BundleInput {
  event: DrawEventMetadata;
  parameters: DrawParameters;
  entries: readonly Entry[];
  /** The revealed secret, 64 lowercase hex characters. */
  secret: string;
  committedAt: string;
  frozenAt: string;
  publicRandomness: PublicRandomness | null;
  /** The commitment as published, if any: the bundle is refused when the secret does not match it. */
  commitment?: string;
  /** The freeze hash as published, if any: the bundle is refused when the inputs do not match it. */
  freezeHash?: string;
}

/** Parameters with exactly the documented fields, absent quotas written as null. */
export function normalizeParameters(p: DrawParameters): DrawParameters {
  return {
    seats: p.seats,
    groups: p.groups.map(
      (g): GroupParameters => ({
        key: g.key,
        weight: g.weight,
        minBasisPoints: g.minBasisPoints ?? null,
        maxBasisPoints: g.maxBasisPoints ?? null,
      }),
    ),
  };
}

function canonicalEntries(entries: readonly Entry[], prepared: PreparedDraw): Entry[] {
  return prepared.ids.map((_, i) => {
    const e = entries[prepared.canonical === null ? i : prepared.canonical[i]];
    return { id: e.id, group: e.group, weight: e.weight, partySize: e.partySize };
  });
}

function checkFreezeFields(input: Omit<FreezeInput, 'parameters' | 'entries'>): void {
  if (typeof input.event !== 'object' || input.event === null || Array.isArray(input.event)) {
    throw new DrawInputError('event', 'must be an object');
  }
  if (typeof input.event.slug !== 'string' || input.event.slug === '') throw new DrawInputError('event.slug', 'must be a non-empty string');
  writeCanonicalJson(input.event, () => {}, 'event'); // throws on values canonical JSON cannot carry
  if (!isIsoTimestamp(input.committedAt)) throw new DrawInputError('committedAt', 'must be an ISO timestamp (toISOString form)');
  if (!isIsoTimestamp(input.frozenAt)) throw new DrawInputError('frozenAt', 'must be an ISO timestamp (toISOString form)');
  if (input.committedAt > input.frozenAt) throw new DrawInputError('committedAt', 'the commitment must precede the freeze');
  if (input.publicRandomnessLabel !== null && (typeof input.publicRandomnessLabel !== 'string' || input.publicRandomnessLabel === '')) {
    throw new DrawInputError('publicRandomness.label', 'must be a non-empty string or null');
  }
}

function record(input: FreezeInput, prepared: PreparedDraw): FreezeRecord {
  checkFreezeFields(input);
  return {
    format: BUNDLE_FORMAT,
    event: JSON.parse(JSON.stringify(input.event)) as DrawEventMetadata, // a detached plain copy
    parameters: normalizeParameters(input.parameters),
    commitment: input.commitment,
    committedAt: input.committedAt,
    frozenAt: input.frozenAt,
    publicRandomnessLabel: input.publicRandomnessLabel,
    entries: canonicalEntries(input.entries, prepared),
  };
}

/** The freeze step: validates the inputs and returns the record and the freezeHash to publish. */
export function freeze(input: FreezeInput): { record: FreezeRecord; freezeHash: string } {
  const r = record(input, prepareDraw(input.entries, input.parameters));
  return { record: r, freezeHash: freezeHashOf(r) };
}

/** Reveal and draw: derives the seed, runs the draw and returns the complete audit bundle. */
export function buildBundle(input: BundleInput): DrawBundle {
  const commitment = commitmentOf(input.secret);
  if (input.commitment !== undefined && input.commitment !== commitment) {
    throw new DrawInputError('secret', 'does not match the published commitment');
  }
  const { publicRandomness } = input;
  if (publicRandomness !== null && (typeof publicRandomness !== 'object' || typeof publicRandomness.value !== 'string')) {
    throw new DrawInputError('publicRandomness', 'must be { label, value } or null');
  }
  const prepared = prepareDraw(input.entries, input.parameters);
  const frozen = record({ ...input, commitment, publicRandomnessLabel: publicRandomness?.label ?? null }, prepared);
  const freezeHash = freezeHashOf(frozen);
  if (input.freezeHash !== undefined && input.freezeHash !== freezeHash) {
    throw new DrawInputError('freezeHash', 'inputs do not match the published freeze hash');
  }
  const seed = deriveSeed(input.secret, freezeHash, publicRandomness?.value ?? null);
  const result = drawPrepared(prepared, seed);
  return {
    format: BUNDLE_FORMAT,
    event: frozen.event,
    parameters: frozen.parameters,
    commitment,
    committedAt: input.committedAt,
    frozenAt: input.frozenAt,
    freezeHash,
    publicRandomness: publicRandomness === null ? null : { label: publicRandomness.label, value: publicRandomness.value },
    secret: input.secret,
    seed: seed.toString('hex'),
    entries: frozen.entries,
    result,
    resultHash: resultHashOf(result.order),
  };
}

// ---------------------------------------------------------------------------------------------------
// admit-draw/2: the public randomness is named at the commitment — a drand round, or an explicitly
// unverified source — and a drand round's signature is checked against the chain's public key.

/** The revealed public randomness of an admit-draw/2 bundle. */
export type PublicRandomnessV2 =
  | { kind: 'drand'; chain: string; round: number; signature: string }
  | { kind: 'unverified'; label: string; value: string };

export interface DrawBundleV2 {
  format: typeof BUNDLE_FORMAT_V2;
  event: DrawEventMetadata;
  parameters: DrawParameters;
  commitment: string;
  committedAt: string;
  frozenAt: string;
  freezeHash: string;
  publicRandomness: PublicRandomnessV2;
  secret: string;
  seed: string;
  entries: Entry[];
  result: DrawResult;
  resultHash: string;
}

export interface FreezeInputV2 extends Omit<FreezeInput, 'publicRandomnessLabel'> {
  publicRandomness: RandomnessSource;
}

/** Checks a named source; for drand: a known chain, and a round whose time is strictly after the freeze. */
export function checkRandomnessSource(source: RandomnessSource, frozenAt: string, path = 'publicRandomness'): void {
  if (typeof source !== 'object' || source === null) throw new DrawInputError(path, 'must name a drand round or an unverified source');
  if (source.kind === 'drand') {
    const chain = DRAND_CHAINS.get(source.chain);
    if (!chain) throw new DrawInputError(`${path}.chain`, 'is not a drand chain this verifier knows (quicknet)');
    if (!isRound(source.round)) throw new DrawInputError(`${path}.round`, 'must be a positive integer');
    if (!(roundTimeMs(chain, source.round) > Date.parse(frozenAt))) {
      throw new DrawInputError(`${path}.round`, 'the round must be produced strictly after the freeze');
    }
  } else if (source.kind === 'unverified') {
    if (typeof source.label !== 'string' || source.label === '') throw new DrawInputError(`${path}.label`, 'must be a non-empty string');
  } else {
    throw new DrawInputError(`${path}.kind`, 'must be "drand" or "unverified"');
  }
}

function sourceOf(pr: RandomnessSource | PublicRandomnessV2): RandomnessSource {
  return pr.kind === 'drand' ? { kind: 'drand', chain: pr.chain, round: pr.round } : { kind: 'unverified', label: pr.label };
}

function recordV2(input: FreezeInputV2, prepared: PreparedDraw): FreezeRecordV2 {
  checkFreezeFields({ ...input, publicRandomnessLabel: null });
  checkRandomnessSource(input.publicRandomness, input.frozenAt);
  return {
    format: BUNDLE_FORMAT_V2,
    event: JSON.parse(JSON.stringify(input.event)) as DrawEventMetadata,
    parameters: normalizeParameters(input.parameters),
    commitment: input.commitment,
    committedAt: input.committedAt,
    frozenAt: input.frozenAt,
    publicRandomness: sourceOf(input.publicRandomness),
    entries: canonicalEntries(input.entries, prepared),
  };
}

/** The freeze step of admit-draw/2. */
export function freezeV2(input: FreezeInputV2): { record: FreezeRecordV2; freezeHash: string } {
  const r = recordV2(input, prepareDraw(input.entries, input.parameters));
  return { record: r, freezeHash: freezeHashOf(r) };
}

/** The bytes mixed into the seed: SHA-256(signature) for drand, the value's UTF-8 for an unverified source. */
export function randomnessBytes(pr: PublicRandomnessV2): Buffer {
  return pr.kind === 'drand' ? beaconRandomness(pr.signature) : Buffer.from(pr.value, 'utf8');
}

/** Refuses a drand signature that is not the chain's signature of the named round. */
export function checkRevealedRandomness(pr: PublicRandomnessV2, path = 'publicRandomness'): void {
  if (pr.kind === 'drand') {
    const chain = DRAND_CHAINS.get(pr.chain);
    if (!chain) throw new DrawInputError(`${path}.chain`, 'is not a drand chain this verifier knows (quicknet)');
    if (!verifyBeacon(chain, { round: pr.round, signature: pr.signature })) {
      throw new DrawInputError(`${path}.signature`, `is not ${chain.name}'s signature of round ${pr.round}`);
    }
  } else if (typeof pr.value !== 'string') {
    throw new DrawInputError(`${path}.value`, 'must be a string');
  }
}

export interface BundleInputV2 extends Omit<BundleInput, 'publicRandomness'> {
  publicRandomness: PublicRandomnessV2;
}

/** Reveal and draw for admit-draw/2; a forged or misplaced beacon is refused before anything is drawn. */
export function buildBundleV2(input: BundleInputV2): DrawBundleV2 {
  const commitment = commitmentOf(input.secret);
  if (input.commitment !== undefined && input.commitment !== commitment) {
    throw new DrawInputError('secret', 'does not match the published commitment');
  }
  const prepared = prepareDraw(input.entries, input.parameters);
  const frozen = recordV2({ ...input, commitment, publicRandomness: sourceOf(input.publicRandomness) }, prepared);
  const freezeHash = freezeHashOf(frozen);
  if (input.freezeHash !== undefined && input.freezeHash !== freezeHash) {
    throw new DrawInputError('freezeHash', 'inputs do not match the published freeze hash');
  }
  checkRevealedRandomness(input.publicRandomness);
  const seed = deriveSeed(input.secret, freezeHash, randomnessBytes(input.publicRandomness));
  const result = drawPrepared(prepared, seed);
  const pr = input.publicRandomness;
  return {
    format: BUNDLE_FORMAT_V2,
    event: frozen.event,
    parameters: frozen.parameters,
    commitment,
    committedAt: input.committedAt,
    frozenAt: input.frozenAt,
    freezeHash,
    publicRandomness:
      pr.kind === 'drand' ? { kind: 'drand', chain: pr.chain, round: pr.round, signature: pr.signature } : { kind: 'unverified', label: pr.label, value: pr.value },
    secret: input.secret,
    seed: seed.toString('hex'),
    entries: frozen.entries,
    result,
    resultHash: resultHashOf(result.order),
  };
}
