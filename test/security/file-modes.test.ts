import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer } from '../helpers/server.ts';
import { loadConfig } from '../../src/config.ts';
import { connectDatabase } from '../../src/db/connect.ts';

// Finding 5: the data directory is 0700 and its files 0600 from the first start, whatever the umask.
const mode = (p: string) => statSync(p).mode & 0o777;

/** Runs body with the usual umask 022, as a service started from a shell would have. */
async function withUmask<T>(mask: number, body: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await body();
  } finally {
    process.umask(old);
  }
}

test('first start: data dir 0700; database, -wal, -shm, mail dir and .eml files private', async () => {
  await withUmask(0o022, async () => {
    const server = await startTestServer({ dialect: 'sqlite', smtpUrl: null });
    try {
      const res = await fetch(`${server.url}/api/v1/events/launch-nyc/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Erika Mustermann', email: 'erika@example.de', country: 'DE', locale: 'de', consent: true, answers: { why: 'x' }, guests: [] }),
      });
      assert.equal(res.status, 202);
      const mail = join(server.config.dataDir, 'mail');
      // The sender runs after commit; wait (bounded) for its file.
      for (let i = 0; i < 300 && !(existsSync(mail) && readdirSync(mail).some((f) => f.endsWith('.eml'))); i++) await sleep(50);
      const dir = server.config.dataDir;
      assert.equal(mode(dir), 0o700, 'data dir');
      assert.equal(mode(mail), 0o700, 'mail dir');
      const files = readdirSync(dir).filter((f) => f.startsWith('admit.sqlite'));
      assert.ok(files.includes('admit.sqlite') && files.includes('admit.sqlite-wal') && files.includes('admit.sqlite-shm'), files.join());
      for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);
      const emls = readdirSync(mail).filter((f) => f.endsWith('.eml'));
      assert.ok(emls.length >= 1, 'a mail was written');
      for (const f of emls) assert.equal(mode(join(mail, f)), 0o600, f);
    } finally {
      await server.stop();
    }
  });
});

test('loadConfig creates the data dir 0700 and the generated secret 0600', async () => {
  await withUmask(0o022, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'admit-modes-'));
    try {
      const dataDir = join(parent, 'nested', 'data');
      loadConfig({ ADMIT_DATA_DIR: dataDir } as NodeJS.ProcessEnv);
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, 'secret.key')), 0o600);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

test('files an older version left world-readable are tightened on start', async () => {
  await withUmask(0o022, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'admit-modes-'));
    try {
      chmodSync(dataDir, 0o755);
      for (const f of ['admit.sqlite', 'admit.sqlite-wal', 'admit.sqlite-shm']) writeFileSync(join(dataDir, f), '', { mode: 0o644 });
      writeFileSync(join(dataDir, 'secret.key'), 'x'.repeat(64), { mode: 0o644 });
      loadConfig({ ADMIT_DATA_DIR: dataDir } as NodeJS.ProcessEnv);
      const db = await connectDatabase({ url: null, dataDir });
      await db.close();
      assert.equal(mode(dataDir), 0o700);
      for (const f of ['admit.sqlite', 'secret.key']) assert.equal(mode(join(dataDir, f)), 0o600, f);
      for (const f of ['admit.sqlite-wal', 'admit.sqlite-shm']) if (existsSync(join(dataDir, f))) assert.equal(mode(join(dataDir, f)), 0o600, f);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
