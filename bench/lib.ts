/** Helpers shared by the benchmarks: child servers, free ports, CPU profile summaries. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawns `node args…` and resolves once stdout+stderr match `ready` (rejects on exit or after timeoutMs). */
export function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code, sig) => r(code ?? (sig ? 128 : null))));
  const child: Child = {
    proc,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        resolve(child);
      }
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Self time per function from the .cpuprofile files in dir: the top n, in % of all samples. */
export function summarizeCpuProfiles(dir: string, n = 25): string {
  const self = new Map<string, number>();
  let total = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      nodes: { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    };
    for (const node of prof.nodes) {
      const hits = node.hitCount ?? 0;
      if (!hits) continue;
      total += hits;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? `${url.replace(/^file:\/\//, '').replace(ROOT, '')}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + hits);
    }
  }
  const byPackage = new Map<string, number>();
  for (const [k, v] of self) {
    const m = k.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const native = /^(run|all|get|iterate|Statement|prepare|exec|pragma|init) *$/.test(k) ? 'better-sqlite3 (native: statements, commit/fsync)' : null;
    const crypto = /^(Hmac|Hash|digest|update|RandomBytesJob|randomFillSync|randomBytes) /.test(`${k} `) ? 'node crypto (ids, tokens, HMAC keys)' : null;
    const pkg = native ?? crypto ?? (m ? m[1] : k.includes('src/') ? 'admit src/' : k.startsWith('(garbage') ? '(gc)' : k.startsWith('(idle') || k.startsWith('(program') ? k.split(' ')[0] : 'node internals (http, streams, …)');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + v);
  }
  const pct = (v: number) => `${((100 * v) / Math.max(1, total)).toFixed(1).padStart(5)} %`;
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, n);
  const pk = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const incl = inclusiveTime(dir);
  return [
    '  self time by function:',
    ...top.map(([k, v]) => `   ${pct(v)}  ${k}`),
    '  self time by package:',
    ...pk.map(([k, v]) => `   ${pct(v)}  ${k}`),
    "  inclusive time (the function and what it called) of admit's own and its plugins' functions:",
    ...[...incl].filter(([k]) => /src\/|node_modules\/(@fastify|fastify|kysely|better-sqlite3|altcha)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `   ${pct(v)}  ${k}`),
  ].join('\n');
}

/** Hits under each function (its own and its callees'), counted once per stack even when it recurses. */
function inclusiveTime(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      nodes: { id: number; hitCount?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const key = (n: (typeof prof.nodes)[number]) => {
      const { functionName, url, lineNumber } = n.callFrame;
      const where = url ? `${url.replace(/^file:\/\//, '').replace(ROOT, '')}:${lineNumber + 1}` : '';
      return `${functionName || '(anonymous)'} ${where}`.trim();
    };
    const walk = (id: number, onStack: Set<string>): number => {
      const n = byId.get(id)!;
      const k = key(n);
      const fresh = !onStack.has(k);
      if (fresh) onStack.add(k);
      let hits = n.hitCount ?? 0;
      for (const c of n.children ?? []) hits += walk(c, onStack);
      if (fresh) {
        onStack.delete(k);
        out.set(k, (out.get(k) ?? 0) + hits);
      }
      return hits;
    };
    walk(prof.nodes[0].id, new Set());
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
