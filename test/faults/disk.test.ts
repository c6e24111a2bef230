import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime } from '../../src/runtime.ts';
import { testConfig } from '../helpers/context.ts';
import { connectDatabase } from '../../src/db/connect.ts';
import { readBack, startServer } from './process.ts';
import { createEvent } from '../../src/services/events.ts';
import { demoEventInput } from '../../src/services/demo.ts';

const isRoot = process.getuid?.() === 0;

test('SQLite, read-only data dir: a clear sentence at start and exit code 78 (no restart loop), nothing touched', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-ro-'));
  try {
    // A database with one application exists; then the directory becomes read-only for the server's user.
    const first = await startServer({ ADMIT_DATA_DIR: dataDir });
    const r = await fetch(`${first.url}/api/v1/events/launch-nyc/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Before Readonly', email: 'ro@example.com', country: 'US', consent: true, answers: { why: 'x' } }),
    });
    assert.equal(r.status, 202);
    first.proc.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    // root ignores permissions: run the server as nobody instead, with the directory owned by root.
    chmodSync(dataDir, 0o555);
    const t0 = Date.now();
    const err = await startServer({ ADMIT_DATA_DIR: dataDir }, isRoot ? { spawn: { uid: 65534, gid: 65534 } } : {}).then(
      () => null,
      (e: Error & { output?: string }) => e,
    );
    assert.ok(err, 'it must not start');
    assert.match(err!.message, /Admit cannot start: the data directory .* is not writable/);
    assert.ok(Date.now() - t0 < 15_000);
    chmodSync(dataDir, 0o755);
    const back = await readBack({ dataDir }, 'ro@%');
    assert.deepEqual([...back.emails], ['ro@example.com'], 'the data is intact');
  } finally {
    chmodSync(dataDir, 0o755);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A tiny tmpfs, so the disk really fills up; needs the right to mount (root in CI), else skipped. */
function tinyDisk(): { dir: string; cleanup(): void } | null {
  if (!isRoot) return null;
  const dir = mkdtempSync(join(tmpdir(), 'admit-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    cleanup() {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('SQLite, disk full while running: 503 + Retry-After, no crash, no half-written rows; recovers when space is back', { timeout: 120_000 }, async (t) => {
  const disk = tinyDisk();
  if (!disk) return t.skip('cannot mount a tmpfs here');
  const dataDir = join(disk.dir, 'data');
  mkdirSync(dataDir);
  const database = await connectDatabase({ url: null, dataDir });
  const runtime = await startRuntime({ config: testConfig(dataDir), database, logger: process.env.DEBUG_FAULTS ? { level: 'error' } : false });
  const event = await createEvent(runtime.deps, 'test', { ...demoEventInput(new Date()), slug: 'full-disk' });
  const post = (email: string) =>
    runtime.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.slug}/applications`,
      payload: { name: 'Full Disk', email, country: 'US', consent: true, answers: { why: 'y'.repeat(3000) } },
    });
  const filler = join(disk.dir, 'filler');
  try {
    assert.equal((await post('first@example.com')).statusCode, 202);
    // leave a few hundred KB
    const free = Number(execFileSync('df', ['--output=avail', '-B1', disk.dir]).toString().split('\n')[1]);
    writeFileSync(filler, Buffer.alloc(Math.max(0, free - 300_000)));
    const acked: string[] = [];
    let full = null;
    for (let i = 0; i < 400 && !full; i++) {
      const res = await post(`n${i}@example.com`);
      if (res.statusCode === 202) acked.push(`n${i}@example.com`);
      else full = res;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full!.statusCode, 503, full!.body);
    assert.equal(full!.json().error.code, 'service.unavailable');
    assert.ok(Number(full!.headers['retry-after']) >= 1);
    assert.equal((await runtime.app.inject({ url: `/api/v1/events/${event.slug}` })).statusCode, 200, 'still serving');

    rmSync(filler);
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) recovered = (await post(`back${i}@example.com`)).statusCode === 202;
    assert.ok(recovered);
    const rows = await database.db.selectFrom('applications').select('email').execute();
    const emails = new Set(rows.map((r) => r.email));
    assert.ok(acked.every((e) => emails.has(e)), 'every acknowledged application is there');
    const outbox = await database.db.selectFrom('outbox').select('id').where('kind', '=', 'application.verify').execute();
    assert.equal(outbox.length, rows.length, 'no application without its mail, no mail without its application');
  } finally {
    await runtime.stop().catch(() => {});
    disk.cleanup();
  }
});
void statSync;
void chownSync;
