import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundleV2, QUICKNET } from '../../src/domain/draw/index.ts';
import { flipBit, QUICKNET_ROUND_2, QUICKNET_ROUND_3 } from '../domain/draw/drand-fixtures.ts';
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
    await commitDraw(c.deps, 'o', event.id, { publicRandomnessLabel: 'Lotto numbers of 2026-12-05' });
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
    tamper((b) => (b.publicRandomness.kind = 'none'), /^mismatch: publicRandomness\.kind/);

    const missing = admit('verify-draw', join(c.db.dataDir, 'nope.json'));
    assert.equal(missing.status, 2);
  } finally {
    await c.db.destroy();
  }
});

test('admit verify-draw on an admit-draw/2 bundle: checks the drand signature, reads strictly, never a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'admit-verify-'));
  try {
    const bundle = buildBundleV2({
      event: { slug: 'cli-drand' },
      parameters: { seats: 2, groups: [{ key: 'preferred', weight: 3 }, { key: 'other', weight: 1 }] },
      entries: [
        { id: '0a', group: 'preferred', weight: 3, partySize: 1 },
        { id: '1b', group: 'other', weight: 1, partySize: 2 },
        { id: '2c', group: 'other', weight: 1, partySize: 1 },
      ],
      secret: '7e'.repeat(32),
      committedAt: '2023-08-23T14:00:00.000Z',
      frozenAt: '2023-08-23T15:09:30.000Z',
      publicRandomness: { kind: 'drand', chain: QUICKNET.hash, round: 3, signature: QUICKNET_ROUND_3.signature },
    });
    const text = JSON.stringify(bundle, null, 2);
    const run = (name: string, body: string) => {
      const file = join(dir, name);
      writeFileSync(file, body);
      return admit('verify-draw', file);
    };
    const ok = run('ok.json', text);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^verified$/m);
    assert.match(ok.stdout, /drand quicknet round 3, signature checked/);

    const cases: [string, string, RegExp][] = [
      ['forged.json', text.replace(QUICKNET_ROUND_3.signature, flipBit(QUICKNET_ROUND_3.signature)), /^mismatch: publicRandomness\.signature: is not drand quicknet's signature of round 3/],
      ['other-round.json', text.replace(QUICKNET_ROUND_3.signature, QUICKNET_ROUND_2.signature), /^mismatch: publicRandomness\.signature/],
      ['minute60.json', text.replace('"2023-08-23T14:00:00.000Z"', '"2023-08-23T14:60:00.000Z"'), /^mismatch: committedAt: must be an ISO timestamp/],
      ['month13.json', text.replace('"2023-08-23T14:00:00.000Z"', '"2023-13-23T14:00:00.000Z"'), /^mismatch: committedAt/],
      ['decimal.json', text.replace('"seats": 2', '"seats": 2.0000000000000001'), /^mismatch: parameters\.seats: must be an integer written without fraction or exponent/],
      ['duplicate.json', text.replace('"seats": 2', '"seats": 2, "seats": 2'), /^mismatch: parameters\.seats: appears twice/],
      ['truncated.json', text.slice(0, 100), /^mismatch: parameters: unterminated string/],
    ];
    for (const [name, body, expect] of cases) {
      const r = run(name, body);
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, expect, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
