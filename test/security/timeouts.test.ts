import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createContext, type TestContext } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';

// Finding 8: slow-header, slow-body and idle sockets must be closed by the server. Real sockets against a
// listening server with short configured timeouts; every wait is bounded (BOUND_MS, far above the configured
// deadlines and far below Node's and Fastify's defaults of 60 s / none), so a loaded machine cannot fail it.
const BOUND_MS = 15_000;
const security = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 400 };

let c: TestContext;
let app: FastifyInstance;
let port: number;
const open: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

before(async () => {
  c = await createContext('sqlite');
  app = await buildTestApp(c, { security });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
after(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of open) s.destroy();
  await app.close();
  await c.db.destroy();
});

function socket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
    open.push(s);
  });
}

/** Resolves with what the server sent once it closes the socket; rejects if it is still open after BOUND_MS. */
function closedByServer(s: Socket): Promise<string> {
  let got = '';
  s.on('data', (d) => (got += d.toString('latin1')));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`socket still open after ${BOUND_MS} ms; received ${JSON.stringify(got.slice(0, 80))}`)), BOUND_MS);
    s.once('close', () => {
      clearTimeout(t);
      resolve(got);
    });
  });
}

/** Writes a piece every 100 ms forever (until the socket closes): never idle, never finished. */
function drip(s: Socket, piece: () => string) {
  const t = setInterval(() => {
    if (!s.destroyed && s.writable) s.write(piece());
  }, 100);
  timers.push(t);
}

test('slow headers: a client that trickles header lines is cut off', async () => {
  const sockets = await Promise.all(Array.from({ length: 10 }, socket));
  const closed = sockets.map(closedByServer);
  let n = 0;
  for (const s of sockets) {
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    drip(s, () => `X-Slow-${n++}: a\r\n`);
  }
  await Promise.all(closed);
});

test('slow body: a client that trickles its body is cut off (408)', async () => {
  const sockets = await Promise.all(Array.from({ length: 10 }, socket));
  const closed = sockets.map(closedByServer);
  for (const s of sockets) {
    s.write('POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n');
    drip(s, () => 'a');
  }
  for (const got of await Promise.all(closed)) assert.match(got, /^HTTP\/1\.1 408/);
});

test('idle sockets: connected but silent, and idle keep-alive after a response, are closed', async () => {
  const silent = await Promise.all(Array.from({ length: 5 }, socket));
  const keepAlive = await Promise.all(Array.from({ length: 5 }, socket));
  const closed = [...silent, ...keepAlive].map(closedByServer);
  for (const s of keepAlive) s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  const answers = await Promise.all(closed);
  for (const got of answers.slice(5)) assert.match(got, /^HTTP\/1\.1 200/, 'the request itself was answered');
});

test('a normal client is served', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(res.status, 200);
});
