/**
 * Door benchmark (issue 15):  npm run bench:door [-- --tickets N --scans N --duration S --devices N]
 *
 * One real server (in process, SQLite in a temp dir; PostgreSQL with DATABASE_URL) with an event of N tickets
 * (50,000 by default: parties of two), and this machine's Chromium as the door phone:
 *  1. sync: a registered device loads the whole door list into IndexedDB (time from page load to "synced",
 *     and the origin's storage use as navigator.storage.estimate() reports it);
 *  2. decoded code → verdict on the device, offline (context.setOffline) and online: signed QR payloads and typed
 *     door codes fed to the app's own handler (what the camera loop calls once jsQR has decoded a frame);
 *     p50/p99 over --scans each;
 *  3. the server's scan endpoint (POST /api/door/scans, one scan per request, the bearer token of one of
 *     --devices devices) with autocannon at 50 connections for --duration seconds.
 */
import { chromium } from 'playwright-core';
import autocannon from 'autocannon';
import { createEvent } from '../src/services/events.ts';
import { demoEventInput } from '../src/services/demo.ts';
import { ensureDoorKey, findDoorKey, signTicket } from '../src/services/door-keys.ts';
import { registerDoorDevice } from '../src/services/door.ts';
import { newDoorCode } from '../src/services/tickets.ts';
import { hashToken } from '../src/platform/random.ts';
import { nextId } from '../src/services/ids.ts';
import { createUser } from '../src/services/users.ts';
import { startTestServer } from '../test/helpers/server.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const TICKETS = opt('tickets', 50_000);
const SCANS = opt('scans', 400);
const DURATION = opt('duration', 8);
const DEVICES = opt('devices', 40);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const server = await startTestServer({ seedDemo: false, dialect: process.env.DATABASE_URL ? 'postgres' : 'sqlite' });
  const deps = server.runtime.deps;
  const db = server.db.db;
  try {
    const event = await createEvent(deps, 'bench', { ...demoEventInput(deps.clock.now()), slug: 'door-bench', capacity: TICKETS });
    await ensureDoorKey(db, deps, event.id);
    const key = (await findDoorKey(db, event.id))!;
    const nowIso = deps.clock.now().toISOString();
    const t0 = performance.now();
    const tickets: { id: string; code: string; position: number }[] = [];
    for (let p = 0; p < TICKETS / 2; p += 500) {
      const apps = [];
      const rows = [];
      for (let i = p; i < Math.min(TICKETS / 2, p + 500); i++) {
        const id = nextId(deps);
        apps.push({
          id, event_id: event.id, status: 'confirmed', name: `Guest ${i}`, email: `g${i}@example.com`, email_normalized: `g${i}@example.com`, country: 'US', locale: 'en',
          party_size: 2, guests: JSON.stringify([{ name: `Friend ${i}`, relation: 'friend' }]), answers: '{}', consent_at: nowIso, token_hash: hashToken(`app-${i}`), verified: 1,
          created_at: nowIso, updated_at: nowIso, verified_at: nowIso, withdrawn_at: null, offer_source: 'draw',
        });
        for (const position of [0, 1]) {
          const tid = nextId(deps);
          const code = newDoorCode(deps.random);
          tickets.push({ id: tid, code, position });
          rows.push({ id: tid, event_id: event.id, application_id: id, position, holder_name: position ? `Friend ${i}` : `Guest ${i}`, token_hash: hashToken(tid), door_code: code, created_at: nowIso, checked_in_at: null, checked_in_by: null, voided_at: null });
        }
      }
      await db.insertInto('applications').values(apps as never).execute();
      await db.insertInto('tickets').values(rows).execute();
    }
    await db.updateTable('event_door_keys').set({ offline_names: 1 }).where('event_id', '=', event.id).execute();
    console.log(`event with ${TICKETS.toLocaleString('en')} tickets made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const user = await createUser(deps, 'bench', { email: 'door@bench.test', role: 'door' });
    const devices: { token: string }[] = [];
    for (let i = 0; i < DEVICES + 1; i++) devices.push(await registerDoorDevice(deps, { id: user.id, role: 'owner' }, event.id, { name: `Phone ${i}`, door: `Door ${i % 4}` }));
    // registered_by must be allowed to check in: an owner-role actor is recorded; make the user an owner for the bench.
    await db.updateTable('users').set({ role: 'owner' }).where('id', '=', user.id).execute();

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/door/`);
    await page.waitForFunction(() => document.body.dataset.state === 'not_registered');
    await page.evaluate(async (token) => {
      const req = indexedDB.open('admit-door', 1);
      const dbh: IDBDatabase = await new Promise((r) => (req.onsuccess = () => r(req.result)));
      const tx = dbh.transaction('meta', 'readwrite');
      tx.objectStore('meta').put({ token }, 'device');
      await new Promise((r) => (tx.oncomplete = r));
      dbh.close();
    }, devices[0].token);
    const s0 = Date.now();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.synced === '1', null, { timeout: 120_000 });
    const syncMs = Date.now() - s0;
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const count = await page.evaluate(() => (window as unknown as { __door: { state(): { tickets: number } } }).__door.state().tickets);
    console.log(`sync of ${count.toLocaleString('en')} tickets to the device: ${(syncMs / 1000).toFixed(2)} s (page load → list in IndexedDB), storage ${(usage / 1e6).toFixed(1)} MB`);

    // Reload once more: the start from IndexedDB (no full list) — what a phone does after a restart.
    const r0 = Date.now();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.synced === '1', null, { timeout: 120_000 });
    console.log(`restart with the list already on the device (load + delta sync): ${((Date.now() - r0) / 1000).toFixed(2)} s`);

    const sample = (from: number, n: number) => tickets.filter((t) => t.position === 0).slice(from, from + n);
    const run = async (inputs: string[]) =>
      page.evaluate(async (codes) => {
        const door = (window as unknown as { __door: { handle(c: string, k: string): Promise<unknown>; timings: { ms: number }[] } }).__door;
        const start = door.timings.length;
        for (const c of codes) await door.handle(c, 'scan');
        return door.timings.slice(start).map((t) => t.ms);
      }, inputs);

    await context.setOffline(true);
    await page.waitForFunction(() => document.getElementById('door-net')?.textContent === 'Offline');
    const offQr = await run(sample(0, SCANS).map((t) => signTicket(server.config.secret, key.sealed, { eventId: event.id, ticketId: t.id, position: t.position })));
    const offTyped = await run(sample(SCANS, SCANS).map((t) => t.code));
    console.log(`decoded code → verdict, offline: signed QR p50 ${ms(pct(offQr, 50))} p99 ${ms(pct(offQr, 99))}; typed code p50 ${ms(pct(offTyped, 50))} p99 ${ms(pct(offTyped, 99))} (${SCANS} each)`);
    await context.setOffline(false);
    // Let the queue go out before measuring online answers.
    await page.evaluate(() => (window as unknown as { __door: { sync(): Promise<void> } }).__door.sync());
    await page.waitForFunction(() => (window as unknown as { __door: { state(): { queue: number } } }).__door.state().queue === 0, null, { timeout: 120_000 });
    const on = await run(sample(2 * SCANS, Math.min(SCANS, 200)).map((t) => signTicket(server.config.secret, key.sealed, { eventId: event.id, ticketId: t.id, position: t.position })));
    console.log(`decoded code → verdict, online (server round trip): p50 ${ms(pct(on, 50))} p99 ${ms(pct(on, 99))} (${on.length})`);
    await browser.close();

    // The server's scan endpoint with many devices.
    let n = 0;
    const pool = tickets.slice(Math.floor(tickets.length / 5));
    const result = await autocannon({
      url: server.url,
      connections: 50,
      duration: DURATION,
      requests: [
        {
          method: 'POST',
          path: '/api/door/scans',
          setupRequest: (req) => {
            const i = n++;
            const t = pool[i % pool.length];
            const d = devices[1 + (i % DEVICES)];
            return {
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
              body: JSON.stringify({ scans: [{ scan: `bench-${i.toString(36).padStart(8, '0')}`, code: t.code, at: new Date().toISOString(), offline: i % 2 === 0 }] }),
            };
          },
        },
      ],
    });
    console.log(
      `POST /api/door/scans, ${DEVICES} devices, 50 connections, ${DURATION} s: ${Math.round(result.requests.average)} scans/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms (${result['2xx']} ok, ${result.non2xx} non-2xx, ${result.errors} errors)`,
    );
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
