import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { createContext } from '../helpers/context.ts';
import { testConfig } from '../helpers/context.ts';
import { redactUrl, scrubText } from '../../src/platform/log-redaction.ts';

const TOKEN = 'Zq3vS0k9XyTOKENabcdefghij12';
const EMAIL = 'erika.mustermann@example.de';
const NAME = 'Erika Mustermann';

test('redactUrl drops capability segments and query values', () => {
  assert.equal(redactUrl(`/a/${TOKEN}`), '/a/[redacted]');
  assert.equal(redactUrl(`/a/${TOKEN}/withdraw?x=1`), '/a/[redacted]/withdraw?x=[redacted]');
  assert.equal(redactUrl(`/setup/${TOKEN}`), '/setup/[redacted]');
  assert.equal(redactUrl(`/api/v1/applications/${TOKEN}/confirm`), '/api/v1/applications/[redacted]/confirm');
  assert.equal(redactUrl(`/admin/applications?q=${encodeURIComponent(EMAIL)}&status`), '/admin/applications?q=[redacted]&status');
  assert.equal(redactUrl('/e/launch-nyc'), '/e/launch-nyc');
  assert.equal(scrubText(`mail to ${EMAIL} failed`), 'mail to [email] failed');
  assert.equal(scrubText(`"url":"/a/${TOKEN}"`), '"url":"/a/[redacted]"');
});

test('finding 4: no request or error log line carries a token, an address or a name', async () => {
  const c = await createContext('sqlite');
  const lines: string[] = [];
  const app = await buildApp({
    config: testConfig(c.db.dataDir),
    database: c.db,
    clock: c.clock,
    random: c.deps.random,
    logger: { level: 'info', stream: { write: (s: string) => lines.push(s) } },
  });
  // A handler that fails the way a database or SMTP error does: addresses and paths quoted in the message, row
  // values (names) in extra fields such as PostgreSQL's detail. (A name inside free text cannot be recognised;
  // the database drivers put values only in those extra fields.)
  app.get('/test-boom', async () => {
    const err = Object.assign(new Error(`duplicate key value violates unique constraint for ${EMAIL} via /a/${TOKEN}`), {
      code: '23505',
      detail: `Key (email)=(${EMAIL}) already exists; name ${NAME}`,
      parameters: [NAME, EMAIL, TOKEN],
    });
    throw err;
  });
  app.get('/test-log', async (req) => {
    req.log.warn({ email: EMAIL, name: NAME, token: TOKEN, application: { name: NAME, email: EMAIL } }, `mail not sent: 550 <${EMAIL}> unknown`);
    return 'ok';
  });
  try {
    for (const url of [
      `/a/${TOKEN}`,
      `/a/${TOKEN}/withdraw`,
      `/setup/${TOKEN}`,
      `/api/v1/applications/${TOKEN}`,
      `/api/v1/applications/${TOKEN}/verify`,
      `/admin/applications?q=${encodeURIComponent(EMAIL)}`,
      `/admin/applications?q=${encodeURIComponent(NAME)}`,
      `/no-such-page?email=${encodeURIComponent(EMAIL)}`,
      '/test-boom',
      '/test-log',
    ]) {
      await app.inject({ method: 'GET', url });
    }
    await app.inject({ method: 'POST', url: `/a/${TOKEN}/withdraw`, payload: { email: EMAIL } });
    const all = lines.join('');
    assert.ok(lines.length >= 20, `request logs were written (${lines.length})`);
    assert.match(all, /unhandled error/, 'the error itself is still logged');
    assert.match(all, /\/a\/\[redacted\]/, 'the route is still recognisable');
    for (const secret of [TOKEN, EMAIL, encodeURIComponent(EMAIL), NAME, encodeURIComponent(NAME), 'Erika']) {
      assert.ok(!all.includes(secret), `log output contains ${secret}:\n${lines.filter((l) => l.includes(secret)).join('')}`);
    }
  } finally {
    await app.close();
    await c.db.destroy();
  }
});
