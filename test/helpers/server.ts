import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config.ts';
import type { Dialect } from '../../src/db/connect.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { createUser } from '../../src/services/users.ts';
import { testConfig } from './context.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestServer {
  /** http://127.0.0.1:PORT — also config.publicUrl, so mailed links point here. */
  url: string;
  runtime: Runtime;
  db: TestDatabase;
  config: Config;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: Dialect;
  /** `smtp://127.0.0.1:PORT` of a sink; null = file transport into <data>/mail. */
  smtpUrl?: string | null;
  captcha?: boolean;
  captchaCost?: number;
  seedDemo?: boolean;
  config?: Partial<Config>;
  /**
   * The runtime's clock (default: the system clock), e.g. a ShiftedClock or ManualClock, so a journey can let an
   * offer expire without waiting. With an injected clock the mail sender runs in-process (see runtime.ts).
   */
  clock?: Clock;
}

/**
 * The real runtime (migrations, demo seed, outbox sender, periodic jobs) listening on an
 * ephemeral loopback port with a fresh database, real randomness and the real clock unless one is injected.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase(opts.dialect ?? 'sqlite');
  const config = testConfig(db.dataDir, {
    smtpUrl: opts.smtpUrl ?? null,
    captcha: opts.captcha ?? false,
    captchaCost: opts.captchaCost ?? 1000,
    seedDemo: opts.seedDemo ?? true,
    workers: true,
    ...opts.config,
  });
  let runtime: Runtime;
  try {
    runtime = await startRuntime({ config, database: db, logger: false, clock: opts.clock });
  } catch (err) {
    await db.destroy();
    throw err;
  }
  await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = runtime.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // The port is known only now; deps.config is this very object, so links rendered from here on use it.
  config.publicUrl = url;
  return {
    url,
    runtime,
    db,
    config,
    async stop() {
      try {
        await runtime.stop();
      } finally {
        await db.destroy();
      }
    },
  };
}

export const OWNER_PASSWORD = 'correct-horse-battery';

/** An owner who can sign in at /login with OWNER_PASSWORD. */
export async function createOwner(server: TestServer, email = 'organizer@example.com'): Promise<{ email: string; password: string }> {
  await createUser(server.runtime.deps, 'test', { email, role: 'owner', name: 'Organizer', password: OWNER_PASSWORD });
  return { email, password: OWNER_PASSWORD };
}

/**
 * Signs in as a new owner like a browser: the CSRF token and cookies from the login page, then the form post.
 * Returns the cookie header for later requests; asserts the redirect to `next`.
 */
export async function signInAsOwner(server: TestServer, next = '/admin'): Promise<string> {
  const owner = await createOwner(server);
  const jar = new Map<string, string>();
  const remember = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const loginPage = await fetch(`${server.url}/login`);
  remember(loginPage);
  const csrf = (await loginPage.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  assert.ok(csrf, 'the login page has a CSRF token');
  const login = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, email: owner.email, password: owner.password, next }),
  });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get('location'), next);
  remember(login);
  return cookie();
}
