import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intakeState } from '../../src/domain/event.ts';
import { verifyBundle, type DrawBundle } from '../../src/domain/draw/index.ts';
import { findBundleJson } from '../../src/db/repositories/draws.ts';
import { findEventBySlug } from '../../src/db/repositories/events.ts';
import { PREVIEW_APPLICANTS, PREVIEW_SLUG, previewTimeline, seedDemoEvent } from '../../src/services/demo.ts';
import { publicDrawState } from '../../src/services/draw.ts';
import { erasePersonalData } from '../../src/services/retention.ts';
import { expireOffersAndPromote } from '../../src/services/waitlist.ts';
import { createContext, forEachDialect, type TestContext } from '../helpers/context.ts';
import { dialects } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

/** Who applied (party sizes change when a party confirms with fewer guests, so they are compared through the intake counters). */
async function population(c: TestContext, eventId: string): Promise<string[]> {
  const rows = await c.db.db.selectFrom('applications').select(['name', 'email', 'country', 'locale', 'created_at']).where('event_id', '=', eventId).execute();
  return rows.map((r) => `${r.email} ${r.name} ${r.country} ${r.locale} ${r.created_at}`).sort();
}

forEachDialect('demo seed', (ctx) => {
  test('an empty database gets the open launch event and a past event whose draw is done and verifies', async () => {
    const c = ctx();
    // No timing assertion here: speed is measured in bench/, never in a unit test (a loaded machine is no failure).
    assert.equal(await seedDemoEvent(c.deps), true);
    assert.equal(await seedDemoEvent(c.deps), false, 'only on an empty database');

    const now = c.clock.now();
    const launch = (await findEventBySlug(c.db.db, 'launch-nyc'))!;
    assert.equal(intakeState(launch, now), 'open');
    const preview = (await findEventBySlug(c.db.db, PREVIEW_SLUG))!;
    assert.equal(preview.status, 'closed');
    assert.equal(preview.capacity, 60);
    assert.deepEqual(preview.preferredCountries, ['US']);
    assert.ok(preview.startsAt! < now.toISOString(), 'a past event');
    assert.ok(preview.revealedAt, 'time and venue were revealed to the guests');

    // The published bundle re-runs to the same result.
    const bundle = JSON.parse((await findBundleJson(c.db.db, preview.id))!) as DrawBundle;
    assert.deepEqual(verifyBundle(bundle), { ok: true });
    assert.equal(bundle.entries.length, PREVIEW_APPLICANTS);
    assert.equal(bundle.parameters.seats, 60);
    assert.deepEqual(
      bundle.parameters.groups.map((g) => [g.key, g.weight, g.maxBasisPoints ?? null]),
      [['preferred', 3, null], ['other', 1, 2_500]],
    );
    assert.match(bundle.publicRandomness?.value ?? '', /^[0-9a-f]{32}$/);
    const tl = previewTimeline(now);
    assert.equal(bundle.committedAt, tl.opensAt.toISOString(), 'committed when applications opened');
    assert.equal(bundle.frozenAt, tl.frozenAt.toISOString(), 'frozen after they closed');
    const state = await publicDrawState(c.deps, preview.id);
    assert.equal(state.status, 'drawn');
    assert.equal(state.drawn?.resultHash, bundle.resultHash);

    // Mostly US residents, parties of 1–4; everyone drawn answered, nobody holds an open offer.
    const apps = await c.db.db.selectFrom('applications').select(['status', 'seats', 'country', 'party_size', 'entry_id']).where('event_id', '=', preview.id).execute();
    assert.equal(apps.length, PREVIEW_APPLICANTS);
    const us = apps.filter((a) => a.country === 'US').length;
    assert.ok(us > PREVIEW_APPLICANTS * 0.6 && us < PREVIEW_APPLICANTS * 0.9, `${us} from the US`);
    assert.ok(apps.every((a) => a.party_size >= 1 && a.party_size <= 4 && a.entry_id));
    const by = (s: string) => apps.filter((a) => a.status === s);
    assert.deepEqual([...new Set(apps.map((a) => a.status))].sort(), ['confirmed', 'declined', 'waitlisted']);
    const confirmedSeats = by('confirmed').reduce((s, a) => s + (a.seats ?? 0), 0);
    assert.ok(confirmedSeats > 50 && confirmedSeats <= 60, `${confirmedSeats} confirmed seats`);
    const tickets = await c.db.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', preview.id).where('voided_at', 'is', null).executeTakeFirstOrThrow();
    assert.equal(Number(tickets.n), confirmedSeats);

    // The mails to the synthetic addresses exist (organizers can read them) but will never be sent.
    const mail = await c.db.db.selectFrom('outbox').select(['status', 'event_id', 'last_error', 'to_address']).execute();
    assert.ok(mail.length > PREVIEW_APPLICANTS);
    assert.deepEqual(mail.filter((m) => m.status !== 'sent' || !m.last_error?.startsWith('suppressed')), []);

    // The periodic jobs find nothing to mail: no offer is open, the event is past (no promotions).
    assert.deepEqual(await expireOffersAndPromote(c.deps), { expired: 0, promoted: 0 });
    // Data minimisation: the draw was more than 30 days ago, so those who declined are erased now; the bundle stays valid.
    assert.equal(await erasePersonalData(c.deps), by('declined').length);
    assert.deepEqual(verifyBundle(JSON.parse((await findBundleJson(c.db.db, preview.id))!)), { ok: true });
    const pending = await c.db.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute();
    assert.deepEqual(pending, []);
  });

  test('the applicants are the same on every installation (seeded), the secret is not', async () => {
    const installs = [await createContext(ctx().dialect), await createContext(ctx().dialect)];
    try {
      const seen = await Promise.all(
        installs.map(async (c) => {
          await seedDemoEvent(c.deps);
          const event = (await findEventBySlug(c.db.db, PREVIEW_SLUG))!;
          const counts = await c.db.db.selectFrom('intake_counts').select(['day', 'country', 'received', 'people']).where('event_id', '=', event.id).orderBy('day').orderBy('country').execute();
          const secret = await c.db.db.selectFrom('draws').select('secret').where('event_id', '=', event.id).executeTakeFirstOrThrow();
          return { people: await population(c, event.id), counts, secret: secret.secret };
        }),
      );
      assert.deepEqual(seen[0].people, seen[1].people);
      assert.deepEqual(seen[0].counts, seen[1].counts);
      assert.equal(seen[0].counts.reduce((s, r) => s + Number(r.received), 0), PREVIEW_APPLICANTS);
      assert.notEqual(seen[0].secret, seen[1].secret);
    } finally {
      for (const c of installs) await c.db.destroy();
    }
  });
});

for (const dialect of dialects()) {
  describe(`demo on a fresh start [${dialect}]`, () => {
    let sink: SmtpSink;
    let server: TestServer;
    before(async () => {
      sink = await startSmtpSink();
      server = await startTestServer({ dialect, smtpUrl: sink.url, seedDemo: true });
    });
    after(async () => {
      await server?.stop();
      await sink?.close();
    });

    test('the preview draw page and bundle are served, `admit verify-draw` verifies the bundle, no demo mail leaves', async () => {
      const page = await fetch(`${server.url}/e/${PREVIEW_SLUG}/draw`);
      assert.equal(page.status, 200);
      const html = await page.text();
      const res = await fetch(`${server.url}/e/${PREVIEW_SLUG}/draw/bundle.json`);
      assert.equal(res.status, 200);
      const json = await res.text();
      const bundle = JSON.parse(json) as DrawBundle;
      assert.ok(html.includes(`<code id="result-hash">${bundle.resultHash}</code>`));
      const file = join(server.db.dataDir, 'launch-preview-draw-bundle.json');
      writeFileSync(file, json);
      const verify = spawnSync(process.execPath, ['bin/admit.js', 'verify-draw', file], { encoding: 'utf8' });
      assert.equal(verify.status, 0, verify.stderr);
      assert.match(verify.stdout, /^verified$/m);

      // The sender is running against a real SMTP server: it has nothing to send.
      assert.equal(await server.runtime.sender.drain(), 0);
      assert.deepEqual(sink.messages.map((m) => m.to), []);
    });
  });
}
