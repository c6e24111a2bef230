import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

forEachDialect('assets (finding 7: names that exist on Object.prototype)', (ctx) => {
  test('/assets/<prototype name> is a 404, known assets still load', async () => {
    const app = await buildTestApp(ctx());
    try {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString', 'nope.js']) {
        const res = await app.inject({ method: 'GET', url: `/assets/${name}` });
        assert.equal(res.statusCode, 404, name);
      }
      const css = await app.inject({ method: 'GET', url: '/assets/app.css' });
      assert.equal(css.statusCode, 200);
      assert.match(String(css.headers['content-type']), /^text\/css/);
    } finally {
      await app.close();
    }
  });
});
