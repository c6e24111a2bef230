/** 53-bit unsigned integer keys split in two: key(i) = hi[i]·2^32 + lo[i], hi < 2^21. */
export interface SplitKeys {
  hi: Uint32Array;
  lo: Uint32Array;
}

/** Three work arrays of the sort's length; contents are irrelevant and get overwritten. */
export type RadixScratch = [Uint32Array, Uint32Array, Uint32Array];

/**
 * Stable LSD radix sort by 53-bit key, DESCENDING, in place: afterwards keys.hi/lo hold the keys in
 * sorted order and `payload` the values that travelled with them (four passes = an even number of
 * buffer swaps, so the results end up back in the caller's arrays). Stability means equal keys keep
 * their input order, which is how the draw breaks ties (keys are laid out in ascending-id order).
 *
 * Why radix: millions of keys must be ordered in well under a second; a comparator sort is ~10×
 * slower and the native Float64Array sort cannot carry a payload. Four passes of 14+14+14+11 bits
 * cover all 53 bits, each scattering (payload, hi, lo) together so reads stay sequential.
 */
export function radixSortDescending(keys: SplitKeys, payload: Uint32Array, scratch?: RadixScratch): void {
  let { hi, lo } = keys;
  let idx = payload;
  const n = idx.length;
  let [idx2, hi2, lo2] = scratch ?? [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  // One read pass builds all four digit histograms.
  const h0 = new Uint32Array(16384);
  const h1 = new Uint32Array(16384);
  const h2 = new Uint32Array(16384);
  const h3 = new Uint32Array(2048);
  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const h = hi[i];
    h0[l & 16383]++;
    h1[(l >>> 14) & 16383]++;
    h2[(l >>> 28) | ((h & 1023) << 4)]++;
    h3[h >>> 10]++;
  }

  for (let pass = 0; pass < 4; pass++) {
    const hist = pass === 0 ? h0 : pass === 1 ? h1 : pass === 2 ? h2 : h3;
    // Descending: the largest digit's bucket starts at 0.
    const pos = new Uint32Array(hist.length);
    let acc = 0;
    for (let d = hist.length - 1; d >= 0; d--) {
      pos[d] = acc;
      acc += hist[d];
    }
    // One loop per pass (instead of a digit function) keeps each loop tight and monomorphic.
    if (pass === 0) {
      for (let i = 0; i < n; i++) {
        const q = pos[lo[i] & 16383]++;
        idx2[q] = idx[i];
        hi2[q] = hi[i];
        lo2[q] = lo[i];
      }
    } else if (pass === 1) {
      for (let i = 0; i < n; i++) {
        const q = pos[(lo[i] >>> 14) & 16383]++;
        idx2[q] = idx[i];
        hi2[q] = hi[i];
        lo2[q] = lo[i];
      }
    } else if (pass === 2) {
      for (let i = 0; i < n; i++) {
        const q = pos[(lo[i] >>> 28) | ((hi[i] & 1023) << 4)]++;
        idx2[q] = idx[i];
        hi2[q] = hi[i];
        lo2[q] = lo[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const q = pos[hi[i] >>> 10]++;
        idx2[q] = idx[i];
        hi2[q] = hi[i];
        lo2[q] = lo[i];
      }
    }
    [idx, idx2] = [idx2, idx];
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
}
