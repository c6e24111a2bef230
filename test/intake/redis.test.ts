import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Redis answers PING? (skipped, not failed, where there is none) */
async function redisAnswers(): Promise<boolean> {
  const u = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const s = connect(Number(u.port || 6379), u.hostname);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

const hasRedis = await redisAnswers();

forEachDialect('rate limits across instances (Redis)', (ctx) => {
  test('two instances count one address together through Redis', { skip: hasRedis ? false : `no Redis at ${REDIS_URL}` }, async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const limits = { applyPerIpPerMinute: 0, applyPerEmailPerHour: 2 };
    const a = await buildTestApp(c, { redisUrl: REDIS_URL, rateLimits: limits });
    const b = await buildTestApp(c, { redisUrl: REDIS_URL, rateLimits: limits });
    const email = `redis-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
    const post = (app: typeof a) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.slug}/applications`,
        payload: { name: 'Red Is', email, country: 'US', consent: true, answers: { why: 'x' }, guests: [] },
      });
    try {
      assert.equal((await post(a)).statusCode, 202);
      assert.equal((await post(b)).statusCode, 202);
      const third = await post(a);
      assert.equal(third.statusCode, 429, 'the count from instance b reached instance a');
      assert.equal((await post(b)).statusCode, 429);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
