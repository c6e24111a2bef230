/**
 * A second, deliberately plain implementation of the draw, written from the specification in
 * docs/mechanisms/draw.md, not from src/domain/draw. It shares no code with the engine. Slow on
 * purpose: BigInt keys, comparator sorts, simple loops. Tests require both to agree exactly.
 */
import { createCipheriv, createHash } from 'node:crypto';

export interface RefEntry {
  id: string;
  group: string;
  weight: number;
  partySize: number;
}
export interface RefGroup {
  key: string;
  weight: number;
  minBasisPoints?: number | null;
  maxBasisPoints?: number | null;
}
export interface RefParameters {
  seats: number;
  groups: readonly RefGroup[];
}
export interface RefResult {
  order: string[];
  selected: string[];
  waitlist: string[];
  seatsByGroup: Record<string, number>;
}

/** Spec: keystream block j = AES-256(key = seed, 16-byte big-endian encoding of j). */
export function refKeystream(seed: Uint8Array, bytes: number): Buffer {
  const blocks = Math.ceil(bytes / 16);
  const counters = Buffer.alloc(blocks * 16);
  for (let j = 0; j < blocks; j++) {
    let c = BigInt(j);
    for (let b = 15; b >= 0; b--) {
      counters[j * 16 + b] = Number(c & 0xffn);
      c >>= 8n;
    }
  }
  const ecb = createCipheriv('aes-256-ecb', seed, null);
  ecb.setAutoPadding(false);
  return Buffer.concat([ecb.update(counters), ecb.final()]).subarray(0, bytes);
}

/** Spec: entries ascending by id; entry with weight w reads w tickets of 8 bytes, key = max(ticket mod 2^53). */
export function refKeys(entries: RefEntry[], seed: Uint8Array): Map<string, bigint> {
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const totalTickets = sorted.reduce((s, e) => s + e.weight, 0);
  const stream = refKeystream(seed, totalTickets * 8);
  const keys = new Map<string, bigint>();
  let ticket = 0;
  for (const e of sorted) {
    let best = -1n;
    for (let t = 0; t < e.weight; t++) {
      const value = stream.readBigUInt64BE(ticket * 8) & ((1n << 53n) - 1n);
      ticket++;
      if (value > best) best = value;
    }
    keys.set(e.id, best);
  }
  return keys;
}

/** Spec: seats × bp / 10000 rounded down, in exact integer arithmetic. */
function refShare(seats: number, bp: number): number {
  return Number((BigInt(seats) * BigInt(bp)) / 10000n);
}

function refLimits(p: RefParameters): Map<string, { min: number; max: number }> {
  const m = new Map<string, { min: number; max: number }>();
  for (const g of p.groups) {
    m.set(g.key, {
      min: g.minBasisPoints == null ? 0 : refShare(p.seats, g.minBasisPoints),
      max: g.maxBasisPoints == null ? p.seats : refShare(p.seats, g.maxBasisPoints),
    });
  }
  return m;
}

/** Spec, "The walk": phase 1 (reserved minimums), then phase 2 (everyone). Returns the ids taken. */
function refWalk(
  order: RefEntry[],
  limits: Map<string, { min: number; max: number }>,
  freeAtStart: number,
  usedAtStart: Map<string, number>,
  limit = Infinity,
): { taken: Set<string>; free: number; used: Map<string, number> } {
  const used = new Map(usedAtStart);
  let free = freeAtStart;
  const taken = new Set<string>();
  const need = (key: string) => Math.max(0, limits.get(key)!.min - (used.get(key) ?? 0));
  const needTotal = () => [...limits.keys()].reduce((s, k) => s + need(k), 0);

  for (const e of order) {
    if (needTotal() === 0 || taken.size >= limit) break;
    if (need(e.group) === 0) continue;
    let reservedForOthers = 0;
    for (const k of limits.keys()) if (k !== e.group) reservedForOthers += need(k);
    const usedHere = used.get(e.group) ?? 0;
    if (e.partySize <= free - reservedForOthers && usedHere + e.partySize <= limits.get(e.group)!.max) {
      taken.add(e.id);
      free -= e.partySize;
      used.set(e.group, usedHere + e.partySize);
    }
  }
  for (const e of order) {
    if (taken.size >= limit) break;
    if (taken.has(e.id)) continue;
    const usedHere = used.get(e.group) ?? 0;
    if (e.partySize <= free && usedHere + e.partySize <= limits.get(e.group)!.max) {
      taken.add(e.id);
      free -= e.partySize;
      used.set(e.group, usedHere + e.partySize);
    }
  }
  return { taken, free, used };
}

export function refDraw(entries: RefEntry[], parameters: RefParameters, seed: Uint8Array): RefResult {
  const keys = refKeys(entries, seed);
  const order = [...entries].sort((a, b) => {
    const ka = keys.get(a.id)!;
    const kb = keys.get(b.id)!;
    if (ka !== kb) return ka > kb ? -1 : 1;
    return a.id < b.id ? -1 : 1;
  });
  const { taken, used } = refWalk(order, refLimits(parameters), parameters.seats, new Map());
  const seatsByGroup: Record<string, number> = {};
  for (const g of parameters.groups) seatsByGroup[g.key] = used.get(g.key) ?? 0;
  return {
    order: order.map((e) => e.id),
    selected: order.filter((e) => taken.has(e.id)).map((e) => e.id),
    waitlist: order.filter((e) => !taken.has(e.id)).map((e) => e.id),
    seatsByGroup,
  };
}

/** Spec, "Waitlist promotion": the walk over the waitlist minus holders and excluded, from the current state. */
export function refPromote(
  waitlist: string[],
  entries: RefEntry[],
  parameters: RefParameters,
  state: { holding: string[]; excluded: string[]; seatsFree: number; seatsByGroup: Record<string, number> },
  limit = Infinity,
): { promote: string[]; seatsFree: number; seatsByGroup: Record<string, number> } {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const skip = new Set([...state.holding, ...state.excluded]);
  const candidates = waitlist.filter((id) => !skip.has(id)).map((id) => byId.get(id)!);
  const { taken, free, used } = refWalk(
    candidates,
    refLimits(parameters),
    state.seatsFree,
    new Map(Object.entries(state.seatsByGroup)),
    limit,
  );
  const seatsByGroup: Record<string, number> = {};
  for (const g of parameters.groups) seatsByGroup[g.key] = used.get(g.key) ?? 0;
  return { promote: candidates.filter((e) => taken.has(e.id)).map((e) => e.id), seatsFree: free, seatsByGroup };
}

/** Spec, "Canonical JSON" (integers only). */
export function refCanonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(refCanonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${refCanonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** Spec, "Hashes": commitment, freezeHash, seed, resultHash from a bundle's fields. */
export function refHashes(b: {
  event: unknown;
  parameters: unknown;
  entries: unknown;
  secret: string;
  committedAt: string;
  frozenAt: string;
  publicRandomness: { label: string; value: string } | null;
  result: { order: string[] };
}): { commitment: string; freezeHash: string; seed: string; resultHash: string } {
  const commitment = sha256(Buffer.from(b.secret, 'hex')).toString('hex');
  const freezeHash = sha256(
    Buffer.from(
      refCanonicalJson({
        format: 'admit-draw/1',
        event: b.event,
        parameters: b.parameters,
        commitment,
        committedAt: b.committedAt,
        frozenAt: b.frozenAt,
        publicRandomnessLabel: b.publicRandomness?.label ?? null,
        entries: b.entries,
      }),
      'utf8',
    ),
  ).toString('hex');
  const seed = sha256(
    Buffer.concat([Buffer.from(b.secret, 'hex'), Buffer.from(freezeHash, 'hex'), Buffer.from(b.publicRandomness?.value ?? '', 'utf8')]),
  ).toString('hex');
  const resultHash = sha256(Buffer.from(refCanonicalJson(b.result.order), 'utf8')).toString('hex');
  return { commitment, freezeHash, seed, resultHash };
}
