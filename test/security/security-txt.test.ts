import { LOCALES } from '../../src/domain/locales.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

/** RFC 9116 §2.3–2.5: fields are "Name: value" lines; Contact and Expires are required, Expires only once. */
function fields(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of body.split('\n').filter((l) => l && !l.startsWith('#'))) {
    const m = line.match(/^([A-Za-z-]+): (.+)$/);
    assert.ok(m, `malformed line ${JSON.stringify(line)}`);
    out.set(m[1].toLowerCase(), [...(out.get(m[1].toLowerCase()) ?? []), m[2]]);
  }
  return out;
}

forEachDialect('/.well-known/security.txt', (ctx) => {
  test('serves RFC 9116 fields: Contact, Expires from the clock, Preferred-Languages, Canonical from PUBLIC_URL', async () => {
    const c = ctx();
    c.clock.set('2026-11-01T15:30:00.000Z');
    const app = await buildTestApp(c, { publicUrl: 'https://tickets.example.org' });
    try {
      const res = await app.inject({ method: 'GET', url: '/.well-known/security.txt' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain; charset=utf-8/);
      const f = fields(res.body);
      assert.deepEqual(f.get('contact'), ['mailto:security@tickets.example.org']);
      assert.deepEqual(f.get('expires'), ['2027-04-30T00:00:00Z']);
      assert.ok(new Date(f.get('expires')![0]).getTime() - c.clock.now().getTime() < 365 * 86_400_000, 'less than a year ahead');
      assert.deepEqual(f.get('preferred-languages'), [LOCALES.join(', ')]);
      assert.deepEqual(f.get('canonical'), ['https://tickets.example.org/.well-known/security.txt']);
      // The clock moves, Expires moves with it.
      c.clock.set('2027-01-10T00:00:01.000Z');
      assert.deepEqual(fields((await app.inject({ method: 'GET', url: '/.well-known/security.txt' })).body).get('expires'), ['2027-07-09T00:00:00Z']);
    } finally {
      await app.close();
    }
  });

  test('the configured contact is used', async () => {
    const app = await buildTestApp(ctx(), { security: { contact: 'https://example.org/report' } });
    try {
      const res = await app.inject({ method: 'GET', url: '/.well-known/security.txt' });
      assert.deepEqual(fields(res.body).get('contact'), ['https://example.org/report']);
    } finally {
      await app.close();
    }
  });
});
