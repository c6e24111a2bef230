import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBundleJson } from '../../src/db/repositories/draws.ts';
import { commitDraw, freezeDraw, runDraw } from '../../src/services/draw.ts';
import { createContext } from '../helpers/context.ts';
import { closeAt, seedVerifiedApplications } from '../services/draw-fixtures.ts';

const admit = (...args: string[]) => spawnSync(process.execPath, ['bin/admit.js', ...args], { encoding: 'utf8' });

test('admit verify-draw: a bundle from the service verifies; a tampered one names the first mismatch', async () => {
  const c = await createContext('sqlite');
  try {
    const event = await c.makeEvent({ capacity: 20 });
    await seedVerifiedApplications(c, event.id, 40, 'cli');
    await commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'drand round 7' });
    closeAt(c);
    await freezeDraw(c.deps, 'o', event.id);
    await runDraw(c.deps, 'o', event.id, { publicRandomnessValue: 'f00d' });
    const json = (await findBundleJson(c.db.db, event.id))!;
    const file = join(c.db.dataDir, 'bundle.json');
    writeFileSync(file, json);
    const ok = admit('verify-draw', file);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^verified$/m);

    const tamper = (f: (b: any) => void, expect: RegExp) => {
      const b = JSON.parse(json);
      f(b);
      const bad = join(c.db.dataDir, 'tampered.json');
      writeFileSync(bad, JSON.stringify(b));
      const r = admit('verify-draw', bad);
      assert.equal(r.status, 1);
      assert.match(r.stderr, expect);
    };
    tamper((b) => (b.entries[0].partySize = b.entries[0].partySize === 1 ? 2 : 1), /^mismatch: freezeHash/);
    tamper((b) => b.result.order.reverse(), /^mismatch: result\.order/);
    tamper((b) => (b.publicRandomness.value = 'f00e'), /^mismatch: seed/);

    const missing = admit('verify-draw', join(c.db.dataDir, 'nope.json'));
    assert.equal(missing.status, 2);
  } finally {
    await c.db.destroy();
  }
});
