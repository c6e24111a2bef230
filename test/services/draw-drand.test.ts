import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUICKNET, verifyBundle, verifyBundleText, type DrawBundleV2 } from '../../src/domain/draw/index.ts';
import { AppError } from '../../src/errors.ts';
import { findDrawByEventId } from '../../src/db/repositories/draws.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { BeaconFetcher } from '../../src/services/beacon-fetch.ts';
import type { Deps } from '../../src/services/deps.ts';
import { commitDraw, drawDueDraws, freezeDraw, publicDrawState, runDraw } from '../../src/services/draw.ts';
import { Scheduler } from '../../src/services/scheduler.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { flipBit, QUICKNET_ROUND_2, QUICKNET_ROUND_3, ROUND_3_AT } from '../domain/draw/drand-fixtures.ts';
import { seedVerifiedApplications } from './draw-fixtures.ts';

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

/**
 * A draw committed to quicknet round 3 — a real, recorded round — so the whole path runs on its real signature:
 * the clock is set to the afternoon of 23 August 2023, applications close at 15:00 UTC and round 3 is produced
 * at 15:09:33 UTC.
 */
async function drandDraw(c: TestContext, slug: string) {
  c.clock.set('2023-08-23T12:00:00.000Z');
  const event = await c.makeEvent({ capacity: 10, slug, applicationsOpenAt: '2023-08-23T11:00:00.000Z', applicationsCloseAt: '2023-08-23T15:00:00.000Z' });
  await seedVerifiedApplications(c, event.id, 16, `${slug}-`);
  const committed = await commitDraw(c.deps, 'owner', event.id, { randomness: { kind: 'drand', drawAt: '2023-08-23T15:09:32.000Z' } });
  assert.equal(committed.beaconRound, 3);
  assert.equal(committed.beaconChain, QUICKNET.hash);
  assert.equal(committed.publicRandomnessLabel, 'drand quicknet round 3');
  return event;
}

/** A fetcher that knows the recorded rounds, like a relay would, counting its calls. */
function recordedRelay(): BeaconFetcher & { calls: number } {
  const f = (async (_chain, round) => {
    f.calls++;
    return round === 3 ? QUICKNET_ROUND_3 : round === 2 ? QUICKNET_ROUND_2 : null;
  }) as BeaconFetcher & { calls: number };
  f.calls = 0;
  return f;
}

forEachDialect('draw on a drand round', (ctx) => {
  test('commit names the round, freeze publishes list and secret, a forged round is refused, the real one draws; the bundle verifies', async () => {
    const c = ctx();
    const event = await drandDraw(c, 'drand-paste');
    let state = await publicDrawState(c.deps, event.id);
    assert.deepEqual(state.randomness, { kind: 'drand', chain: QUICKNET.hash, chainName: 'drand quicknet', round: 3, at: ROUND_3_AT, overdue: false });
    assert.equal(state.committedSeats, 10);

    c.clock.set('2023-08-23T15:05:00.000Z');
    const frozen = await freezeDraw(c.deps, 'owner', event.id);
    state = await publicDrawState(c.deps, event.id);
    assert.equal(state.frozen!.secret, frozen.secret, 'the secret is public from the freeze on');
    assert.equal(JSON.parse(frozen.freezeRecord!).format, 'admit-draw/2');

    // Before its time a round cannot be used, and nothing but the named round's real signature is accepted.
    await assert.rejects(runDraw(c.deps, 'owner', event.id, { beacon: { round: 3, signature: flipBit(QUICKNET_ROUND_3.signature) } }), rejects('draw.beacon_invalid'));
    await assert.rejects(runDraw(c.deps, 'owner', event.id, { beacon: { round: 3, signature: QUICKNET_ROUND_2.signature } }), rejects('draw.beacon_invalid'));
    await assert.rejects(runDraw(c.deps, 'owner', event.id, { beacon: QUICKNET_ROUND_2 }), rejects('draw.beacon_invalid'));
    await assert.rejects(runDraw(c.deps, 'owner', event.id, { publicRandomnessValue: 'anything' }), rejects('draw.randomness_required'));
    assert.equal((await findDrawByEventId(c.db.db, event.id))!.status, 'frozen');

    c.clock.set('2023-08-23T15:30:00.000Z');
    assert.deepEqual((await publicDrawState(c.deps, event.id)).randomness, { kind: 'drand', chain: QUICKNET.hash, chainName: 'drand quicknet', round: 3, at: ROUND_3_AT, overdue: true });
    const { bundle } = await runDraw(c.deps, 'owner', event.id, { beacon: QUICKNET_ROUND_3 });
    const b = bundle as DrawBundleV2;
    assert.deepEqual(b.publicRandomness, { kind: 'drand', chain: QUICKNET.hash, round: 3, signature: QUICKNET_ROUND_3.signature });
    const stored = (await findDrawByEventId(c.db.db, event.id, { withRecords: true }))!;
    assert.deepEqual(verifyBundleText(stored.bundle!), { ok: true });
    assert.equal(((await publicDrawState(c.deps, event.id)).randomness as { overdue: boolean }).overdue, false, 'drawn: not overdue');

    // The same bundle with a forged signature is refused by the verifier.
    const forged = JSON.parse(stored.bundle!);
    forged.publicRandomness.signature = flipBit(forged.publicRandomness.signature);
    assert.deepEqual(verifyBundle(forged).ok, false);
  });

  test('a freeze after the round is refused; the seats and settings fixed at the commitment hold', async () => {
    const c = ctx();
    const event = await drandDraw(c, 'drand-late');
    c.clock.set('2023-08-23T15:09:33.000Z');
    await assert.rejects(freezeDraw(c.deps, 'owner', event.id), rejects('draw.round_passed'));
    await assert.rejects(commitDraw(c.deps, 'owner', event.id), rejects('draw.already_committed'));
  });

  test('the draw runs itself at the round: two instances on one database, one draws, the other does nothing', async () => {
    const c = ctx();
    const event = await drandDraw(c, 'drand-auto');
    c.clock.set('2023-08-23T15:05:00.000Z');
    await freezeDraw(c.deps, 'owner', event.id);
    const relay = recordedRelay();

    // Before the round: nothing is due, nothing is fetched.
    assert.equal(await drawDueDraws(c.deps, relay), 0);
    assert.equal(relay.calls, 0);
    // Offline (no relay): the draw waits.
    c.clock.set('2023-08-23T15:09:40.000Z');
    assert.equal(await drawDueDraws(c.deps, null), 0);

    // Two app instances, each with its own scheduler and clock, one database.
    const instance = (id: string) => {
      const deps: Deps = { ...c.deps, clock: new ManualClock('2023-08-23T15:09:40.000Z') };
      return new Scheduler(deps, { instanceId: id, jobs: [{ name: `draw-${event.id}`, everyMs: 15_000, run: (d) => drawDueDraws(d, relay) }] });
    };
    const [a, b] = [instance('a'), instance('b')];
    const ran = await Promise.all([a.runDue(), b.runDue()]);
    assert.equal(ran.flat().length, 1, 'the lease lets one instance run the job');
    // Even without the lease (both run the job at once), one draws and the other finds it drawn.
    const twice = await Promise.all([drawDueDraws(c.deps, relay), drawDueDraws({ ...c.deps }, relay)]);
    assert.deepEqual(twice, [0, 0], 'already drawn');

    const draw = (await findDrawByEventId(c.db.db, event.id, { withRecords: true }))!;
    assert.equal(draw.status, 'drawn');
    assert.equal(draw.publicRandomnessValue, QUICKNET_ROUND_3.signature);
    assert.deepEqual(verifyBundleText(draw.bundle!), { ok: true });
    const audit = await c.db.db.selectFrom('audit_log').select(['action', 'actor']).where('event_id', '=', event.id).where('action', '=', 'draw.drawn').execute();
    assert.deepEqual(audit, [{ action: 'draw.drawn', actor: 'system' }]);
    const offered = await c.db.db.selectFrom('applications').select('id').where('event_id', '=', event.id).where('status', '=', 'offered').execute();
    assert.ok(offered.length > 0);
  });

  test('two instances racing without leases: exactly one draw', async () => {
    const c = ctx();
    const event = await drandDraw(c, 'drand-race');
    c.clock.set('2023-08-23T15:05:00.000Z');
    await freezeDraw(c.deps, 'owner', event.id);
    c.clock.set('2023-08-23T15:10:00.000Z');
    const relay = recordedRelay();
    const results = await Promise.all([drawDueDraws(c.deps, relay), drawDueDraws({ ...c.deps }, relay)]);
    assert.equal(results[0] + results[1], 1);
    const audit = await c.db.db.selectFrom('audit_log').select('action').where('event_id', '=', event.id).where('action', '=', 'draw.drawn').execute();
    assert.equal(audit.length, 1);
  });
});
