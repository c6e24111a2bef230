import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, QueueFullError } from '../../src/intake/group-commit.ts';

/** A commit we can hold open, recording every batch it was given. */
function gate() {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let held = Promise.resolve();
  return {
    batches,
    hold() {
      held = new Promise((r) => (release = r));
    },
    release: () => release(),
    commit: async (items: number[]) => {
      batches.push(items);
      await held;
      return items.map((i) => (i < 0 ? new Error(`bad ${i}`) : i * 10));
    },
  };
}

test('items queued while a commit runs share the next transaction; each caller gets its own outcome', async () => {
  const g = gate();
  const gc = new GroupCommit<number, number>({ maxQueue: 100, maxBatch: 50, concurrency: 1, maxWaitMs: 5000, commit: g.commit });
  g.hold();
  const first = gc.submit(1);
  await new Promise((r) => setImmediate(r));
  const rest = [2, 3, 4, 5].map((i) => gc.submit(i));
  g.release();
  assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
  assert.deepEqual(g.batches, [[1], [2, 3, 4, 5]]);
  assert.equal(gc.stats.batches, 2);
});

test('an answer never comes before its commit returned', async () => {
  const g = gate();
  const gc = new GroupCommit<number, number>({ maxQueue: 10, maxBatch: 10, concurrency: 1, maxWaitMs: 5000, commit: g.commit });
  g.hold();
  let answered = false;
  const p = gc.submit(7).then((v) => ((answered = true), v));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(answered, false);
  g.release();
  assert.equal(await p, 70);
});

test('bounded queue: when full, submit refuses at once with a retry hint; nothing waits without bound', async () => {
  const g = gate();
  const gc = new GroupCommit<number, number>({ maxQueue: 2, maxBatch: 1, concurrency: 1, maxWaitMs: 5000, commit: g.commit });
  g.hold();
  const inFlight = gc.submit(1);
  await new Promise((r) => setImmediate(r));
  const queued = [gc.submit(2), gc.submit(3)];
  await assert.rejects(gc.submit(4), (e: unknown) => e instanceof QueueFullError && e.reason === 'busy' && e.retryAfterSeconds >= 1);
  assert.equal(gc.stats.refusedFull, 1);
  g.release();
  assert.deepEqual(await Promise.all([inFlight, ...queued]), [10, 20, 30]);
});

test('a failing item is isolated: its neighbours still commit (retried alone)', async () => {
  const calls: number[][] = [];
  const gc = new GroupCommit<number, number>({
    maxQueue: 10,
    maxBatch: 10,
    concurrency: 1,
    maxWaitMs: 5000,
    retryAlone: () => true,
    commit: async (items) => {
      calls.push(items);
      if (items.includes(-1)) throw new Error('constraint');
      return items.map((i) => i);
    },
  });
  const ps = [1, -1, 2].map((i) => gc.submit(i));
  const settled = await Promise.allSettled(ps);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(calls, [[1, -1, 2], [1], [-1], [2]]);
});

test('database down: the whole batch is refused, not retried item by item', async () => {
  let calls = 0;
  const gc = new GroupCommit<number, number>({
    maxQueue: 10,
    maxBatch: 10,
    concurrency: 1,
    maxWaitMs: 5000,
    retryAlone: () => false,
    commit: async () => {
      calls++;
      throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    },
  });
  const settled = await Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
  assert.ok(settled.every((s) => s.status === 'rejected'));
  assert.equal(calls, 1);
});

test('an item that cannot start its commit in time is refused as stale; close() flushes the rest', async () => {
  const g = gate();
  const gc = new GroupCommit<number, number>({ maxQueue: 10, maxBatch: 1, concurrency: 1, maxWaitMs: 100, commit: g.commit });
  g.hold();
  const first = gc.submit(1);
  await new Promise((r) => setImmediate(r));
  const second = gc.submit(2);
  await assert.rejects(second, (e: unknown) => e instanceof QueueFullError && e.reason === 'stale');
  const third = gc.submit(3);
  const closing = gc.close();
  await assert.rejects(gc.submit(4), (e: unknown) => e instanceof QueueFullError && e.reason === 'closing');
  g.release();
  await closing;
  assert.equal(await first, 10);
  assert.equal(await third, 30);
});
