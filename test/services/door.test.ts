import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmApplication, declineApplication } from '../../src/services/confirmations.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import { checkInCounts } from '../../src/services/checkin.ts';
import {
  authenticateDoorDevice,
  doorBoard,
  doorCodeHash,
  doorConflicts,
  doorListFor,
  listDoorDevices,
  recordDoorScan,
  recordDoorScans,
  registerDoorDevice,
  revokeDoorDevice,
  setOfflineNames,
} from '../../src/services/door.ts';
import { findDoorKey, verifySignedTicket } from '../../src/services/door-keys.ts';
import { AppError } from '../../src/errors.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff } from '../helpers/staff.ts';
import type { Event } from '../../src/domain/event.ts';

async function confirmedParty(c: TestContext, event: Event, name: string, guests: string[] = []) {
  const p = await insertParty(c, event, { status: 'offered', name, guests });
  await confirmApplication(c.deps, p.id);
  return { party: p, tickets: await ticketsForApplication(c.db.db, c.deps.config.secret, p.id) };
}

async function rejectsAs(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code);
}

forEachDialect('the offline door', (ctx) => {
  test('QR codes are signed per event: genuine verifies with the public key, a forged or altered one does not', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10, slug: 'door-sign' });
    const { tickets } = await confirmedParty(c, event, 'Ada Lovelace', ['Mary']);
    const key = (await findDoorKey(c.db.db, event.id))!;
    const [ada, mary] = tickets;
    assert.match(ada.token, new RegExp(`^AD1\\.${event.id}\\.${ada.id}\\.0\\.[A-Za-z0-9_-]{86}$`));
    assert.equal(verifySignedTicket(key.publicKey, event.id, mary.token)?.position, 1);
    const forged = ada.token.replace(`.${ada.id}.`, `.${mary.id}.`);
    assert.equal(verifySignedTicket(key.publicKey, event.id, forged), null, 'another ticket id under the same signature');
    assert.equal(verifySignedTicket(key.publicKey, 'someotherevent0000000000', ada.token), null);
    assert.ok(!key.sealed.includes(key.publicKey) && key.sealed.startsWith('v1.'), 'private key sealed');
  });

  test('a device syncs only what the door needs; resent scans change nothing; two offline devices: one guest, one conflict', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20, slug: 'door-sync' });
    const door = await makeStaff(c, 'door', { events: [event.id] });
    const { party: adaApp, tickets: adaParty } = await confirmedParty(c, event, 'Ada Lovelace', ['Charles Babbage']);
    const { tickets: grace } = await confirmedParty(c, event, 'Grace Hopper');
    const a = await registerDoorDevice(c.deps, door, event.id, { name: 'Phone A', door: 'North' });
    const b = await registerDoorDevice(c.deps, door, event.id, { name: 'Phone B', door: 'South' });
    const devA = await authenticateDoorDevice(c.deps, a.token);

    const list = await doorListFor(c.deps, devA, null);
    assert.equal(list.full, true);
    assert.equal(list.tickets.length, 3);
    const json = JSON.stringify(list);
    assert.ok(!json.includes('Ada') && !json.includes('@'), 'no names (not allowed offline) and never an email');
    const [adaRow] = list.tickets.filter((t) => t[0] === adaParty[0].id);
    assert.deepEqual(adaRow.slice(1, 6), [doorCodeHash(event.id, adaParty[0].doorCode!), adaApp.id, 0, 2, 0]);
    await setOfflineNames(c.deps, 'owner', event.id, true);
    assert.ok((await doorListFor(c.deps, devA, null)).tickets.some((t) => t[6] === 'Grace Hopper'), 'names once allowed');

    // Online scan, then the same scan resent: one row, the same answer.
    const first = await recordDoorScan(c.deps, devA, { scan: 'scan-a-000001', code: grace[0].token, at: c.clock.now().toISOString(), offline: false });
    assert.equal(first.outcome, 'admitted');
    const resent = await recordDoorScans(c.deps, devA, [{ scan: 'scan-a-000001', code: grace[0].token, at: c.clock.now().toISOString(), offline: false }]);
    assert.deepEqual(resent[0], first);
    const online2 = await recordDoorScan(c.deps, devA, { scan: 'scan-a-000002', code: grace[0].doorCode!, at: c.clock.now().toISOString(), offline: false });
    assert.equal(online2.outcome, 'already');

    // Both devices admitted Charles while offline (A at 12:00, B at 12:01); B syncs first.
    const devB = await authenticateDoorDevice(c.deps, b.token);
    const charles = adaParty[1];
    const atA = c.clock.now().toISOString();
    c.clock.advance(60_000);
    const bRes = await recordDoorScans(c.deps, devB, [{ scan: 'scan-b-000001', ticket: charles.id, at: c.clock.now().toISOString(), offline: true }]);
    assert.equal(bRes[0].outcome, 'admitted');
    const cursor = list.cursor;
    c.clock.advance(60_000);
    const queueA = [
      { scan: 'scan-a-000003', code: charles.token, at: atA, offline: true },
      { scan: 'scan-a-000004', code: adaParty[0].doorCode!.toLowerCase(), at: atA, offline: true },
    ];
    const [aCharles, aAda] = await recordDoorScans(c.deps, devA, queueA);
    assert.equal(aCharles.outcome, 'conflict');
    assert.equal(aAda.outcome, 'admitted');
    assert.equal(aAda.checkedInAt, atA, 'the device time of an offline scan');
    // The whole queue again (the answer was lost): nothing new.
    assert.deepEqual(await recordDoorScans(c.deps, devA, queueA), [aCharles, aAda]);
    const scans = await c.db.db.selectFrom('door_scans').select(['scan_id', 'outcome']).where('event_id', '=', event.id).execute();
    assert.equal(scans.length, 5, 'every scan kept exactly once');
    assert.deepEqual(await checkInCounts(c.db.db, event.id), { expected: 3, arrived: 3 }, 'Charles counts once');

    const conflicts = await doorConflicts(c.db.db, event.id);
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0].holderName, 'Charles Babbage');
    assert.deepEqual(conflicts[0].late.device, 'Phone A');
    assert.equal(conflicts[0].late.door, 'North');
    assert.equal(conflicts[0].late.reason, 'twice');
    assert.equal(conflicts[0].late.scannedAt, atA);
    assert.deepEqual(conflicts[0].first, { device: 'Phone B', door: 'South', scannedAt: bRes[0].checkedInAt });

    // B sees A's scans in its next delta, though A's scans carry an earlier device time.
    const delta = await doorListFor(c.deps, devB, cursor);
    assert.equal(delta.full, false);
    assert.ok(delta.tickets.some((t) => t[0] === adaParty[0].id && t[5] === 1));

    const board = await doorBoard(c.db.db, event.id);
    assert.equal(board.expected, 3);
    assert.equal(board.arrived, 3);
    assert.deepEqual(board.byDoor, [{ door: 'North', arrived: 2 }, { door: 'South', arrived: 1 }]);
    assert.equal(board.perFiveMinutes.reduce((s, b) => s + b.arrived, 0), 3);
    assert.equal(board.conflicts, 1);
    const devices = await listDoorDevices(c.db.db, event.id);
    assert.deepEqual(devices.map((d) => [d.name, d.admitted, d.conflicts]), [['Phone A', 2, 1], ['Phone B', 1, 0]]);
  });

  test('late revocations reach devices; a ticket issued after the last sync is admitted by its signature; revoked devices are shut out', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 20, slug: 'door-revoke' });
    const door = await makeStaff(c, 'door', { events: [event.id] });
    const { party, tickets } = await confirmedParty(c, event, 'Hedy Lamarr', ['Anthony']);
    const reg = await registerDoorDevice(c.deps, door, event.id, { name: 'Phone', door: 'Main' });
    const dev = await authenticateDoorDevice(c.deps, reg.token);
    const full = await doorListFor(c.deps, dev, null);
    c.clock.advance(120_000);
    await declineApplication(c.deps, party.id);
    const { tickets: late } = await confirmedParty(c, event, 'Late Larry');
    const delta = await doorListFor(c.deps, dev, full.cursor);
    const state = new Map(delta.tickets.map((t) => [t[0], t[5]]));
    assert.equal(state.get(tickets[0].id), 2, 'declined party: not valid');
    assert.equal(state.get(tickets[1].id), 2);
    assert.equal(state.get(late[0].id), 0, 'new ticket pushed too');

    // The device admitted the declined guest offline before it heard: kept, not counted, reported.
    const r = await recordDoorScan(c.deps, dev, { scan: 'scan-r-000001', code: tickets[0].token, at: c.clock.now().toISOString(), offline: true });
    assert.equal(r.outcome, 'conflict');
    assert.equal((await doorConflicts(c.db.db, event.id))[0].late.reason, 'not_valid');
    assert.equal((await recordDoorScan(c.deps, dev, { scan: 'scan-r-000002', code: late[0].token, at: c.clock.now().toISOString(), offline: true })).outcome, 'admitted');
    const forged = late[0].token.slice(0, -3) + (late[0].token.endsWith('AAA') ? 'BBB' : 'AAA');
    assert.equal((await recordDoorScan(c.deps, dev, { scan: 'scan-r-000003', code: forged, at: c.clock.now().toISOString(), offline: false })).outcome, 'refused');

    assert.equal(await revokeDoorDevice(c.deps, 'owner', event.id, dev.id, 'revoked'), true);
    assert.equal(await revokeDoorDevice(c.deps, 'owner', event.id, dev.id, 'revoked'), false, 'once');
    await rejectsAs(authenticateDoorDevice(c.deps, reg.token), 'door.device_revoked');
    await rejectsAs(authenticateDoorDevice(c.deps, 'not-a-token'), 'auth.required');
    // A device whose staff member left the team stops working too.
    const other = await registerDoorDevice(c.deps, door, event.id, { name: 'Phone 2', door: 'Main' });
    await c.db.db.deleteFrom('event_staff').where('user_id', '=', door.id).execute();
    await rejectsAs(authenticateDoorDevice(c.deps, other.token), 'door.device_revoked');
    await rejectsAs(registerDoorDevice(c.deps, door, event.id, { name: ' ', door: 'x' }), 'validation.failed');
  });
});
