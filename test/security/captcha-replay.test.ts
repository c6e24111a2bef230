import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

// Finding 9: a solved ALTCHA challenge is accepted once in the whole deployment, not once per instance.
const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
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

async function solved(app: FastifyInstance): Promise<string> {
  const challenge = (await app.inject({ method: 'GET', url: '/api/v1/captcha/challenge' })).json() as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.ok(solution);
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

let n = 0;
const apply = (app: FastifyInstance, slug: string, altcha: string) => {
  const i = ++n;
  return app.inject({
    method: 'POST',
    url: `/api/v1/events/${slug}/applications`,
    headers: { 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` },
    payload: { name: 'Grace Hopper', email: `grace-${i}@example.com`, country: 'US', consent: true, answers: { why: 'x' }, guests: [], altcha },
  });
};

forEachDialect('captcha replay across instances (finding 9)', (ctx) => {
  for (const via of ['database', 'redis'] as const) {
    test(`two instances on one database accept a solution once (${via})`, { skip: via === 'redis' && !hasRedis ? `no Redis at ${REDIS_URL}` : false }, async () => {
      const c = ctx();
      // altcha-lib checks a challenge's expiry against the real time, so the test clock starts from it.
      c.clock.set(new Date());
      const event = await c.makeEvent();
      const over = { captcha: true, captchaCost: 200, ...(via === 'redis' ? { redisUrl: REDIS_URL } : {}) };
      const a = await buildTestApp(c, over);
      const b = await buildTestApp(c, over);
      try {
        // Sequential: the first instance accepts, the second refuses the same payload, the first too.
        const payload = await solved(a);
        assert.equal((await apply(a, event.slug, payload)).statusCode, 202);
        const replay = await apply(b, event.slug, payload);
        assert.equal(replay.statusCode, 422);
        assert.equal(replay.json().error.code, 'captcha.failed');
        assert.equal((await apply(a, event.slug, payload)).statusCode, 422);

        // Concurrent: the same fresh payload at both instances at once; exactly one passes.
        for (let round = 0; round < 3; round++) {
          const p = await solved(b);
          const codes = (await Promise.all([apply(a, event.slug, p), apply(b, event.slug, p), apply(a, event.slug, p), apply(b, event.slug, p)])).map((r) => r.statusCode);
          assert.deepEqual(codes.filter((s) => s === 202).length, 1, codes.join());
          assert.ok(codes.every((s) => s === 202 || s === 422), codes.join());
        }

        // A solution that does not verify is not remembered (and is refused).
        const good = await solved(a);
        const bad = JSON.parse(Buffer.from(good, 'base64').toString());
        const key: string = bad.solution.derivedKey;
        bad.solution.derivedKey = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
        assert.equal((await apply(a, event.slug, Buffer.from(JSON.stringify(bad)).toString('base64'))).statusCode, 422);
        assert.equal((await apply(b, event.slug, good)).statusCode, 202, 'the failed attempt did not use up the challenge');
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  test('expired rows are purged from the shared memory', async () => {
    const c = ctx();
    c.clock.set(new Date());
    const event = await c.makeEvent();
    const a = await buildTestApp(c, { captcha: true, captchaCost: 200 });
    try {
      const payload = await solved(a);
      assert.equal((await apply(a, event.slug, payload)).statusCode, 202);
      const before = await c.db.db.selectFrom('captcha_spent').select('signature').execute();
      assert.ok(before.length >= 1);
      c.clock.advance(24 * 3_600_000);
      await apply(a, event.slug, await solved(a));
      const left = await c.db.db.selectFrom('captcha_spent').select('expires_at').execute();
      assert.ok(left.every((r) => r.expires_at > c.clock.now().toISOString()), 'only unexpired challenges remain');
    } finally {
      await a.close();
    }
  });
});
