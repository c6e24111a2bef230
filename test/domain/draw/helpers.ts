import { createHash } from 'node:crypto';
import type { DrawParameters, Entry, GroupParameters } from '../../../src/domain/draw/index.ts';

/** Deterministic test randomness (mulberry32). Test data only; the draw never uses it. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: () => number, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));

export const seedOf = (label: string | number): Buffer => createHash('sha256').update(`seed:${label}`).digest();

export const hexId = (r: () => number, len: number): string => {
  let s = '';
  for (let i = 0; i < len; i++) s += '0123456789abcdef'[int(r, 0, 15)];
  return s;
};

export interface RandomInputOptions {
  minEntries?: number;
  maxEntries?: number;
  maxPartySize?: number;
  maxWeight?: number;
  unitParties?: boolean;
}

/** Random but valid draw input: 1–4 groups, random quotas (satisfiable), ids of varied length. */
export function randomInput(r: () => number, o: RandomInputOptions = {}): { entries: Entry[]; parameters: DrawParameters } {
  const groupCount = int(r, 1, 4);
  let minLeft = 10000;
  const groups: GroupParameters[] = [];
  for (let g = 0; g < groupCount; g++) {
    const min = r() < 0.5 ? null : int(r, 0, Math.min(minLeft, 6000));
    if (min !== null) minLeft -= min;
    const max = r() < 0.5 ? null : int(r, min ?? 0, 10000);
    groups.push({ key: `g${g}`, weight: int(r, 1, o.maxWeight ?? 6), minBasisPoints: min, maxBasisPoints: max });
  }
  const n = int(r, o.minEntries ?? 0, o.maxEntries ?? 60);
  const ids = new Set<string>();
  while (ids.size < n) ids.add(hexId(r, int(r, 1, 14)));
  const entries = [...ids].map((id) => {
    const g = groups[int(r, 0, groupCount - 1)];
    return { id, group: g.key, weight: g.weight, partySize: o.unitParties ? 1 : int(r, 1, o.maxPartySize ?? 5) };
  });
  const totalSeats = entries.reduce((s, e) => s + e.partySize, 0);
  return { entries, parameters: { seats: int(r, 0, Math.max(1, Math.ceil(totalSeats * 0.8))), groups } };
}
