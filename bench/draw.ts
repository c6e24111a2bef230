/**
 * Draw engine benchmark.  node --import tsx bench/draw.ts [sizes…] [--hmac]
 *
 * Each size runs in a fresh child process so its peak RSS is its own. Entries: 32-hex-digit ids in
 * random (unsorted) order, 70 % "preferred" (weight 3), 30 % "other" (weight 1), party sizes 1–4,
 * 20,000 seats, preferred min 60 %, other max 30 %. Baseline: Float64Array.prototype.sort of the
 * same number of random doubles, measured in the same process.
 * --hmac also times the rejected alternative: one HMAC-SHA256(seed, id ‖ ticket) per ticket.
 * --check also runs draw() in one call and confirms the staged run gave the same result.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  assembleResult,
  computeKeys,
  computeOrder,
  draw,
  prepareDraw,
  selectParties,
  type DrawParameters,
  type Entry,
} from '../src/domain/draw/index.ts';

const SEATS = 20_000;
const parameters: DrawParameters = {
  seats: SEATS,
  groups: [
    { key: 'preferred', weight: 3, minBasisPoints: 6000, maxBasisPoints: null },
    { key: 'other', weight: 1, minBasisPoints: null, maxBasisPoints: 3000 },
  ],
};

/** Deterministic bench data from an AES-CTR stream (no Math.random). */
function stream(label: number, bytes: number): Buffer {
  const key = Buffer.alloc(32, label);
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

/** Ids like the service's (32 hex digits of an HMAC), in arrival order, i.e. not sorted by id. */
function generate(n: number): Entry[] {
  const r = stream(1, n * 18);
  const entries = new Array<Entry>(n);
  for (let i = 0; i < n; i++) {
    const preferred = r.readUInt8(i * 18 + 16) < 179; // 179/256 ≈ 70 %
    entries[i] = {
      id: r.toString('hex', i * 18, i * 18 + 16),
      group: preferred ? 'preferred' : 'other',
      weight: preferred ? 3 : 1,
      partySize: 1 + (r.readUInt8(i * 18 + 17) & 3),
    };
  }
  return entries;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

function child(n: number, hmac: boolean, check: boolean): void {
  const entries = generate(n);
  const rssAfterGenerate = process.memoryUsage().rss;
  const seed = stream(2, 32);
  let peakSampled = rssAfterGenerate;
  const sample = () => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss));

  const t0 = performance.now();
  const prepared = prepareDraw(entries, parameters);
  const t1 = performance.now();
  sample();
  const keys = computeKeys(prepared, seed);
  const t2 = performance.now();
  sample();
  const order = computeOrder(prepared, keys);
  const t3 = performance.now();
  sample();
  const selection = selectParties(prepared, order);
  const t4 = performance.now();
  const result = assembleResult(prepared, order, selection);
  const t5 = performance.now();
  sample();
  const maxRss = process.resourceUsage().maxRSS * 1024;

  // Baseline in the same process: native sort of n random doubles.
  const rnd = stream(3, n * 8);
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) base[i] = (rnd.readUInt32BE(i * 8) & 0x1fffff) * 4294967296 + rnd.readUInt32BE(i * 8 + 4);
  const b0 = performance.now();
  base.sort();
  const baseline = performance.now() - b0;

  let hmacMs: number | null = null;
  if (hmac) {
    const h0 = performance.now();
    const ticket = Buffer.alloc(4);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < prepared.weight[i]; t++) {
        ticket.writeUInt32BE(t);
        createHmac('sha256', seed).update(prepared.ids[i]).update(ticket).digest();
      }
    }
    hmacMs = performance.now() - h0;
  }

  let sameAsDraw: boolean | null = null;
  if (check) {
    const whole = draw(entries, parameters, seed);
    sameAsDraw = ['order', 'selected', 'waitlist'].every((k) => {
      const a = whole[k as 'order'];
      const b = result[k as 'order'];
      return a.length === b.length && a.every((x, i) => x === b[i]);
    }) && JSON.stringify(whole.seatsByGroup) === JSON.stringify(result.seatsByGroup);
  }

  console.log(
    JSON.stringify({
      n,
      prepare: t1 - t0,
      keys: t2 - t1,
      sort: t3 - t2,
      walk: t4 - t3,
      assemble: t5 - t4,
      total: t5 - t0,
      baseline,
      hmacMs,
      sameAsDraw,
      selected: result.selected.length,
      seatsByGroup: result.seatsByGroup,
      rssEntriesMiB: mib(rssAfterGenerate),
      rssPeakSampledMiB: mib(peakSampled),
      maxRssMiB: mib(maxRss),
    }),
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const hmac = args.includes('--hmac');
  const check = args.includes('--check');
  if (args[0] === '--child') return child(Number(args[1]), hmac, check);
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const file = fileURLToPath(import.meta.url);
  const ms = (x: number) => `${x.toFixed(0)} ms`.padStart(8);
  console.log(`node ${process.version}, ${SEATS} seats; times per stage, peak RSS of the whole process (entries included)`);
  for (const n of sizes.length ? sizes : [1_000_000, 3_500_000]) {
    const run = spawnSync(process.execPath, [...process.execArgv, file, '--child', String(n), ...(hmac ? ['--hmac'] : []), ...(check ? ['--check'] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) throw new Error(run.stderr);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
    console.log(`\n${n.toLocaleString('en')} entries (selected ${r.selected} parties, seats ${JSON.stringify(r.seatsByGroup)})`);
    console.log(`  validate + canonical order ${ms(r.prepare)}`);
    console.log(`  key derivation (AES-CTR)   ${ms(r.keys)}`);
    console.log(`  sort (radix)               ${ms(r.sort)}`);
    console.log(`  walk                       ${ms(r.walk)}`);
    console.log(`  result arrays              ${ms(r.assemble)}`);
    console.log(`  total                      ${ms(r.total)}`);
    console.log(`  baseline Float64Array.sort ${ms(r.baseline)}   sort/baseline ${(r.sort / r.baseline).toFixed(2)}   total/baseline ${(r.total / r.baseline).toFixed(2)}`);
    if (r.sameAsDraw !== null) console.log(`  staged run equals draw(): ${r.sameAsDraw ? 'yes' : 'NO'}`);
    if (r.hmacMs !== null) console.log(`  per-ticket HMAC keys       ${ms(r.hmacMs)}   (${(r.hmacMs / r.keys).toFixed(0)}× AES-CTR)`);
    console.log(`  RSS: ${r.rssEntriesMiB} MiB with entries loaded, peak ${r.maxRssMiB} MiB (sampled ${r.rssPeakSampledMiB} MiB)`);
  }
}

main();
