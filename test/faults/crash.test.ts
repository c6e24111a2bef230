import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dialects } from '../helpers/db.ts';
import { freePort, load, pgSchema, readBack, type ServerProcess, startServer } from './process.ts';

/**
 * Kill -9 in the middle of a load run, restart: every application that got a 2xx is in the database, and
 * the rows are exactly the acknowledged ones plus at most the requests whose answer was lost in the crash.
 * SIGTERM instead: stop accepting, commit the last batch, exit 0 — then rows == acknowledged exactly.
 */
for (const dialect of dialects()) {
  describe(`faults: crash and shutdown under load [${dialect}]`, { timeout: 300_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'admit-fault-'));
    let pgs: Awaited<ReturnType<typeof pgSchema>> | null = null;
    const env = async () => {
      if (dialect === 'postgres' && !pgs) pgs = await pgSchema(process.env.TEST_DATABASE_URL!);
      return { ADMIT_DATA_DIR: dataDir, DATABASE_URL: pgs?.url ?? '', ADMIT_WORKERS: 'on' };
    };
    const where = () => (pgs ? { url: process.env.TEST_DATABASE_URL!, schema: pgs.schema } : { dataDir });
    const running: ServerProcess[] = [];
    const start = async (port?: number) => {
      const s = await startServer(await env(), { port });
      running.push(s);
      return s;
    };
    after(async () => {
      for (const s of running) {
        s.proc.kill('SIGKILL');
        await s.exited;
      }
      await pgs?.drop();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    });

    test('kill -9 mid-load, restart: every acknowledged application is there, rows == acknowledged (+ lost answers)', async () => {
      const port = await freePort();
      const server = await start(port);
      const run = load(server.url, 16, 'kill');
      await new Promise((r) => setTimeout(r, 1500));
      server.proc.kill('SIGKILL');
      await server.exited;
      const res = await run.stop();
      assert.ok(res.acked.length > 20, `load was running (${res.acked.length} acknowledged)`);

      const restarted = await start(port);
      const back = await readBack(where(), 'kill-%');
      const missing = res.acked.filter((e) => !back.emails.has(e));
      assert.deepEqual(missing, [], 'no acknowledged application lost');
      const extra = [...back.emails].filter((e) => !res.acked.includes(e));
      assert.ok(extra.every((e) => res.unknown.includes(e)), 'every other row is a request whose answer the crash swallowed');
      assert.ok(extra.length <= 16, `at most one per connection in flight (${extra.length})`);
      assert.deepEqual([...back.mailedTo].sort(), [...back.emails].sort(), 'each application has its verification mail: same transaction');
      // and the restarted server takes applications again
      const again = await fetch(`${restarted.url}/api/v1/events/launch-nyc/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'After Restart', email: 'after-restart@example.com', country: 'US', consent: true, answers: { why: 'x' } }),
      });
      assert.equal(again.status, 202);
      restarted.proc.kill('SIGTERM');
      assert.equal(await restarted.exited, 0);
    });

    test('SIGTERM mid-load: answers in flight still come, the last batch commits, exit 0, rows == acknowledged', async () => {
      const server = await start();
      const before = (await readBack(where(), 'term-%')).emails;
      const run = load(server.url, 16, 'term');
      await new Promise((r) => setTimeout(r, 1200));
      server.proc.kill('SIGTERM');
      const code = await server.exited;
      const res = await run.stop();
      assert.equal(code, 0, server.output());
      assert.ok(res.acked.length > 20);
      const back = await readBack(where(), 'term-%');
      const rows = [...back.emails].filter((e) => !before.has(e));
      assert.deepEqual(rows.sort(), [...res.acked].sort(), 'exactly the acknowledged applications');
    });
  });
}
