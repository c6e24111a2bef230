import { writeCanonicalJson } from './canonical-json.ts';
import {
  BUNDLE_FORMAT,
  commitmentOf,
  deriveSeed,
  freezeHashOf,
  isIsoTimestamp,
  resultHashOf,
  type DrawEventMetadata,
  type FreezeRecord,
} from './commit-reveal.ts';
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
