import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase } from '../../src/db/connect.ts';
import { startRuntime } from '../../src/runtime.ts';
import { testConfig } from '../helpers/context.ts';
import { pgSchema, readBack } from './process.ts';

/** A TCP proxy to PostgreSQL that can be cut (connections refused, open ones reset) and restored. */
async function pgProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await up();
  return {
    get port() {
      return port;
    },
    async down() {
      await new Promise<void>((r) => server!.close(() => r()));
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    up,
  };
}

const body = (email: string) => ({ name: 'Dee Bee', email, country: 'US', consent: true, answers: { why: 'x' }, guests: [] });

test('PostgreSQL unavailable: applications fail fast with 503 + Retry-After and a clear message, nothing half-written, recovery by itself', { skip: !process.env.TEST_DATABASE_URL, timeout: 120_000 }, async () => {
  const base = new URL(process.env.TEST_DATABASE_URL!);
  const pgs = await pgSchema(base.toString());
  const proxy = await pgProxy(base);
  const dataDir = mkdtempSync(join(tmpdir(), 'admit-pgdown-'));
  const viaProxy = new URL(base.toString());
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const database = await connectDatabase({ url: viaProxy.toString(), dataDir, schema: pgs.schema, poolSize: 5 });
  const runtime = await startRuntime({ config: testConfig(dataDir, { seedDemo: true, databaseUrl: viaProxy.toString() }), database, logger: false });
  const post = (email: string, lang = 'en') =>
    runtime.app.inject({ method: 'POST', url: '/api/v1/events/launch-nyc/applications', payload: body(email), headers: { 'accept-language': lang } });
  try {
    assert.equal((await post('before@example.com')).statusCode, 202);

    await proxy.down();
    const t0 = Date.now();
    const down = await Promise.all([post('during1@example.com'), post('during2@example.com'), post('during3@example.com', 'de')]);
    assert.ok(Date.now() - t0 < 3000, `failed fast (${Date.now() - t0} ms)`);
    for (const r of down) {
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, 'service.unavailable');
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    assert.match(down[0].json().error.message, /busy/);
    assert.match(down[2].json().error.message, /ausgelastet/);
    const health = await runtime.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 503);

    await proxy.up();
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await post(`after${i}@example.com`)).statusCode === 202;
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(recovered, 'took applications again without a restart');
    const back = await readBack({ url: base.toString(), schema: pgs.schema }, '%@example.com');
    for (const e of [...back.emails]) if (e.startsWith('applicant')) back.emails.delete(e);
    assert.ok(back.emails.has('before@example.com'));
    assert.ok(![...back.emails].some((e) => e.startsWith('during')), 'nothing from the outage was written');
    assert.deepEqual([...back.mailedTo].sort(), [...back.emails].sort());
  } finally {
    await runtime.stop().catch(() => {});
    await proxy.down().catch(() => {});
    await pgs.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
