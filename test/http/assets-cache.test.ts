import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

forEachDialect('assets: fingerprints, immutable, ETag, precompressed', (ctx) => {
  test('pages link fingerprinted assets; those are immutable, answer 304 to their ETag and come compressed', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const app = await buildTestApp(c, { captcha: true });
    try {
      const page = await app.inject({ url: `/e/${event.slug}` });
      const css = page.body.match(/href="(\/assets\/app\.[0-9a-f]{12}\.css)"/)?.[1];
      assert.ok(css, 'the stylesheet is linked by its fingerprinted name');
      const js = page.body.match(/src="(\/assets\/altcha\.[0-9a-f]{12}\.js)"/)?.[1];
      assert.ok(js, 'the captcha module is linked by its fingerprinted name');
      const first = await app.inject({ url: css });
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['cache-control'], 'public, max-age=31536000, immutable');
      const etag = first.headers.etag as string;
      assert.match(etag, /^"[0-9a-f]{12}"$/);
      const again = await app.inject({ url: css, headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      const plain = await app.inject({ url: '/assets/app.css' });
      assert.equal(plain.headers['cache-control'], 'public, max-age=3600', 'plain names are not immutable');
      assert.equal(plain.body, first.body);
      const br = await app.inject({ url: css, headers: { 'accept-encoding': 'br' } });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(brotliDecompressSync(br.rawPayload).toString(), first.body);
      const gz = await app.inject({ url: css, headers: { 'accept-encoding': 'gzip' } });
      assert.equal(gunzipSync(gz.rawPayload).toString(), first.body);
      // The module's own imports are fingerprinted too, and served.
      const mod = (await app.inject({ url: js })).body;
      for (const m of mod.matchAll(/'(?:\.\/|\/assets\/)([^']+\.[0-9a-f]{12}\.js)'/g)) {
        assert.equal((await app.inject({ url: `/assets/${m[1]}` })).statusCode, 200, m[1]);
      }
      assert.equal((await app.inject({ url: '/assets/app.000000000000.css' })).statusCode, 404, 'a wrong fingerprint is not found');
    } finally {
      await app.close();
    }
  });
});
