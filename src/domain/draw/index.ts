/**
 * The draw engine: a pure, reproducible, weighted, party- and quota-aware lottery and its audit
 * bundle. No I/O, no clock, no ambient randomness. Spec: docs/mechanisms/draw.md.
 */
export {
  type DrawParameters,
  type DrawResult,
  type Entry,
  type GroupParameters,
  DrawInputError,
  BASIS_POINTS,
  MAX_SEATS,
  MAX_WEIGHT,
} from './types.ts';
export { draw, drawPrepared } from './draw.ts';
export { nextPromotions, type Promotion, type PromotionState } from './promote.ts';
export { quotaSeats, shareOfSeats, type GroupQuota } from './quotas.ts';
export { canonicalJson, sha256CanonicalJson, type JsonValue } from './canonical-json.ts';
export {
  BUNDLE_FORMAT,
  commitmentOf,
  deriveSeed,
  freezeHashOf,
  resultHashOf,
  sha256Hex,
  type DrawEventMetadata,
  type FreezeRecord,
} from './commit-reveal.ts';
export { buildBundle, freeze, normalizeParameters, type BundleInput, type DrawBundle, type FreezeInput, type PublicRandomness } from './bundle.ts';
export { verifyBundle, type VerifyResult } from './verify.ts';
// The draw in stages, for benchmarks and for auditors who want to inspect intermediate values.
export { prepareDraw, type PreparedDraw } from './prepare.ts';
export { computeKeys, computeOrder, selectParties, assembleResult, type Selection } from './draw.ts';
export { keyAt, TICKET_BYTES } from './keystream.ts';
export type { SplitKeys } from './radix-sort.ts';
export { walk, type WalkQuota, type WalkState } from './walk.ts';
export { verifyBundleText } from './verify.ts';
export {
  buildBundleV2,
  checkRandomnessSource,
  checkRevealedRandomness,
  freezeV2,
  randomnessBytes,
  type BundleInputV2,
  type DrawBundleV2,
  type FreezeInputV2,
  type PublicRandomnessV2,
} from './bundle.ts';
export { BUNDLE_FORMAT_V2, type FreezeRecordV2, type RandomnessSource } from './commit-reveal.ts';
export { parseStrictJson, StrictJsonError } from './strict-json.ts';
export {
  QUICKNET,
  DRAND_CHAINS,
  beaconRandomness,
  firstRoundAfter,
  parseBeacon,
  roundTimeMs,
  verifyBeacon,
  BeaconFormatError,
  type Beacon,
  type DrandChain,
} from './drand.ts';
