import { RELATIONS } from '../domain/application.ts';
import type { EventInput } from '../domain/event.ts';
import { wallTimeToUtc } from '../domain/wall-time.ts';
import { searchColumns } from '../domain/search.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { listEvents } from '../db/repositories/events.ts';
import type { NewApplication } from '../db/schema.ts';
import { dayInZone } from '../intake/stats.ts';
import type { Clock } from '../platform/clock.ts';
import { hashToken, newToken, seededRandom } from '../platform/random.ts';
import { confirmApplication, declineApplication } from './confirmations.ts';
import type { Deps } from './deps.ts';
import { commitDraw, freezeDraw, runDraw } from './draw.ts';
import { changeEventStatus, createEvent } from './events.ts';
import { nextId } from './ids.ts';
import { revealEvent } from './reveal.ts';

/**
 * The demo event mirrors the origin story: an invitation-only product launch in New York in
 * December, time and venue announced later, US residents preferred, friends and family welcome.
 */
export function demoEventInput(now: Date): EventInput {
  const close = new Date(now.getTime() + 30 * 24 * 3_600_000);
  return {
    slug: 'launch-nyc',
    status: 'open',
    timezone: 'America/New_York',
    startsAt: null,
    endsAt: null,
    venueName: null,
    venueAddress: null,
    applicationsOpenAt: now.toISOString(),
    applicationsCloseAt: close.toISOString(),
    capacity: 300,
    maxPartySize: 4,
    preferredCountries: ['US'],
    othersMayApply: true,
    defaultLocale: 'en',
    questions: [
      {
        id: 'why',
        type: 'long_text',
        required: true,
        label: { en: 'Why would you like to be there?', de: 'Warum möchten Sie dabei sein?' },
      },
      {
        id: 'fan',
        type: 'yes_no',
        required: false,
        label: { en: 'Do you already use one of our products?', de: 'Nutzen Sie bereits eines unserer Produkte?' },
      },
    ],
    content: {
      en: {
        title: 'Launch Night New York',
        description:
          'We are coming to the United States — and we are celebrating it with our biggest party yet, in New York this December.\n\n' +
          'Experience our newest and best products before anyone else, meet the team, and bring your friends and family.\n\n' +
          'Seats are limited, so guests are selected by a fair, verifiable draw among everyone who applies. Residents of the United States are preferred; everyone may apply.',
        consent:
          'We use your details only to run this event: to verify your email, to hold the draw and to contact you about it. ' +
          'If you are not selected, your personal data is erased automatically after the draw.',
      },
      de: {
        title: 'Launch-Abend New York',
        description:
          'Wir kommen in die Vereinigten Staaten – und feiern das mit unserer bislang größten Party, im Dezember in New York.\n\n' +
          'Erleben Sie unsere neuesten und besten Produkte vor allen anderen, treffen Sie das Team und bringen Sie Freunde und Familie mit.\n\n' +
          'Die Plätze sind begrenzt, deshalb werden die Gäste in einer fairen, überprüfbaren Auslosung unter allen Bewerbungen ausgewählt. ' +
          'Wer in den USA wohnt, wird bevorzugt; bewerben können sich alle.',
        consent:
          'Wir verwenden Ihre Angaben nur für diese Veranstaltung: um Ihre E-Mail-Adresse zu bestätigen, die Auslosung durchzuführen und Sie dazu zu kontaktieren. ' +
          'Werden Sie nicht ausgewählt, löschen wir Ihre personenbezogenen Daten nach der Auslosung automatisch.',
      },
    },
  };
}

/** On an empty database, creates the demo events (see seedPreviewEvent). Returns true when it did. */
export async function seedDemoEvent(deps: Deps): Promise<boolean> {
  if ((await listEvents(deps.database.db)).length > 0) return false;
  // The finished preview first: its steps are dated in the past, and ids are time-ordered.
  await seedPreviewEvent(deps);
  const launch = await createEvent(deps, 'system', demoEventInput(deps.clock.now()));
  // The open demo event's draw is committed at once to a drand quicknet round a day after applications close
  // (ADR 0011): once the organizer freezes the list, it runs itself at that round, verified against drand's key.
  await commitDraw(deps, 'system', launch.id, {
    groups: [
      { key: 'preferred', weight: 3 },
      { key: 'other', weight: 1, maxBasisPoints: 2_500 },
    ],
  });
  return true;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const PREVIEW_SLUG = 'launch-preview';
export const PREVIEW_APPLICANTS = 150;
/** A real draw names a public source here (a drand round, a lottery draw on a given day); the demo says what it is. */
export const PREVIEW_RANDOMNESS_LABEL = 'Demo value, chosen when applications closed (a real draw names a public source, e.g. a drand round)';

/** When each step of the finished demo happened: whole hours in New York, counted back in days from the seeding. */
export function previewTimeline(now: Date) {
  const nyc = (daysAgo: number, time: string) => new Date(wallTimeToUtc(`${new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10)}T${time}`, 'America/New_York')!);
  return {
    createdAt: nyc(102, '10:00'),
    opensAt: nyc(100, '09:00'),
    closesAt: nyc(50, '18:00'),
    frozenAt: nyc(50, '19:00'),
    drawnAt: nyc(49, '12:00'),
    revealedAt: nyc(42, '10:00'),
    startsAt: nyc(21, '19:00').toISOString(),
    endsAt: nyc(21, '23:00').toISOString(),
  };
}

/** The second demo event: small, past, its draw done — so the draw page and the audit bundle exist. */
export function previewEventInput(now: Date): EventInput {
  const tl = previewTimeline(now);
  const launch = demoEventInput(now);
  return {
    ...launch,
    slug: PREVIEW_SLUG,
    status: 'open',
    startsAt: tl.startsAt,
    endsAt: tl.endsAt,
    venueName: 'Launch Loft',
    venueAddress: '123 Example Street, New York, NY',
    applicationsOpenAt: tl.opensAt.toISOString(),
    applicationsCloseAt: tl.closesAt.toISOString(),
    capacity: 60,
    maxPartySize: 4,
    content: {
      en: {
        title: 'Preview Night New York',
        description:
          'A small preview evening before the launch, for 60 guests.\n\n' +
          'Applications are closed and the guests were chosen by the draw. Its public record — commitment, frozen entry list, result and the audit bundle — is on the draw page, and anyone can re-run it.\n\n' +
          'This is a demo event: its applicants are made up.',
        consent: launch.content.en!.consent,
      },
      de: {
        title: 'Vorschau-Abend New York',
        description:
          'Ein kleiner Vorschau-Abend vor dem Launch, für 60 Gäste.\n\n' +
          'Die Bewerbungsfrist ist vorbei, die Gäste wurden ausgelost. Das öffentliche Protokoll der Auslosung — Festlegung, eingefrorene Teilnehmerliste, Ergebnis und das Prüfpaket — steht auf der Seite der Auslosung, und jede und jeder kann sie nachrechnen.\n\n' +
          'Dies ist eine Demo-Veranstaltung: Die Bewerbungen sind erfunden.',
        consent: launch.content.de!.consent,
      },
    },
  };
}

/** A clock standing at one instant: each demo step runs through its service at its moment on the timeline. */
const standingClock = (at: Date | number): Clock => ({ now: () => new Date(at) });

/**
 * Seeds the past preview event with PREVIEW_APPLICANTS synthetic verified applicants and then runs
 * the real selection on it: commit (when applications opened) → close → freeze (US residents weight
 * 3, everyone else 1 and at most 25 % of the seats) → draw → the selected parties confirm (a few
 * decline or bring fewer guests, and the waitlist moves up) → reveal. Its /e/launch-preview/draw page
 * and bundle are then what `admit verify-draw` checks.
 *
 * Reproducibility: who applies (names, countries, party sizes, times) comes from a seeded generator,
 * so every installation gets the same population. The draw secret, tokens and ids come from
 * deps.random as always: a secret or status link derivable from this file would be no secret.
 */
export async function seedPreviewEvent(deps: Deps): Promise<{ eventId: string }> {
  const tl = previewTimeline(deps.clock.now());
  const at = (when: Date | number): Deps => ({ ...deps, clock: standingClock(when), afterCommit: undefined });
  const { db } = deps.database;
  const rng = picker('admit-demo:launch-preview');

  const event = await createEvent(at(tl.createdAt), 'system', previewEventInput(deps.clock.now()));
  // The past preview cannot name a drand round it has no signature for, so it names its source as unverified.
  await commitDraw(at(tl.opensAt), 'system', event.id, {
    randomness: { kind: 'unverified', label: PREVIEW_RANDOMNESS_LABEL },
    groups: [
      { key: 'preferred', weight: 3 },
      { key: 'other', weight: 1, maxBasisPoints: 2_500 },
    ],
  });
  const emails = await insertSyntheticApplicants(deps, event.id, event.timezone, tl, rng);
  await changeEventStatus(at(tl.closesAt), 'system', event.id, 'closed');
  await freezeDraw(at(tl.frozenAt), 'system', event.id);
  await runDraw(at(tl.drawnAt), 'system', event.id, { publicRandomnessValue: rng.hex(16) });

  // The selected answer within about a day: most confirm, some with fewer guests, a few decline — their seats
  // go to the waitlist at once, and the parties who move up confirm in the next round. No offer is left
  // open, so nothing expires later (the event is past, so nobody is promoted any more either).
  let t = tl.drawnAt.getTime() + HOUR;
  for (let round = 0; round < 5; round++) {
    const offered = await db.selectFrom('applications').select(['id', 'seats']).where('event_id', '=', event.id).where('status', '=', 'offered').orderBy('draw_position').execute();
    if (!offered.length) break;
    for (const [i, a] of offered.entries()) {
      t += (20 + rng.int(60)) * 60_000;
      const seats = a.seats ?? 1;
      if (round === 0 && i % 10 === 3) await declineApplication(at(t), a.id);
      else if (round === 0 && i % 6 === 1 && seats > 1) await confirmApplication(at(t), a.id, { keepGuests: Array.from({ length: seats - 2 }, (_, g) => g) });
      else await confirmApplication(at(t), a.id);
    }
  }
  await revealEvent(at(tl.revealedAt), 'system', event.id);

  // The services above enqueued real mails (selected, waitlist position, confirmation with tickets, the
  // reveal with its .ics) to the synthetic example.com addresses. They must never leave, even when
  // SMTP_URL points at a real server, so they are marked as handled here, before the mail sender starts
  // (runtime.ts seeds first). Organizers still read them at /admin/mail, and can follow their links to
  // see the applicant's side of the demo.
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: deps.clock.now().toISOString(), locked_until: null, locked_by: null, last_error: 'suppressed: synthetic demo applicant, never sent' })
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('event_id', '=', event.id), eb('to_address', 'in', emails)]))
    .execute();
  return { eventId: event.id };
}

const FIRST_NAMES = ['Ava', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Felix', 'Grace', 'Hiro', 'Isabel', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noah', 'Olivia', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wei', 'Zoe'];
const LAST_NAMES = ['Adams', 'Brooks', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Johnson', 'Kim', 'Lopez', 'Miller', 'Nguyen', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Taylor', 'Walker'];
const OTHER_COUNTRIES = ['CA', 'MX', 'GB', 'DE', 'FR', 'JP', 'BR', 'AU'];
const WHY = [
  'I have used your products for years and would love to meet the team.',
  'A friend told me about the launch; I am curious what comes next.',
  'I write about technology and want to see the new products first-hand.',
  'We started a company on your platform and would love to say thank you.',
];

interface Picker {
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  hex(bytes: number): string;
}

function picker(seed: string): Picker {
  const random = seededRandom(seed);
  const int = (n: number) => random.bytes(4).readUInt32BE() % n;
  return { int, pick: (xs) => xs[int(xs.length)], hex: (bytes) => random.bytes(bytes).toString('hex') };
}

/**
 * The synthetic applicants, written straight into the table (the applicant journey has its own
 * services; 150 verification round trips would only slow the first start): verified, mostly from the
 * US, parties of 1–4, applied over the weeks applications were open. The intake's per-day counters are
 * kept in the same transaction, as the intake does. Returns their addresses.
 */
async function insertSyntheticApplicants(deps: Deps, eventId: string, timezone: string, tl: ReturnType<typeof previewTimeline>, rng: Picker): Promise<string[]> {
  const open = tl.opensAt.getTime();
  const span = tl.closesAt.getTime() - open;
  const times = Array.from({ length: PREVIEW_APPLICANTS }, () => open + Math.floor((rng.int(1_000_000) / 1_000_000) * span)).sort((a, b) => a - b);
  const rows: NewApplication[] = times.map((ms, i) => {
    const last = rng.pick(LAST_NAMES);
    const roll = rng.int(100);
    const party = roll < 35 ? 1 : roll < 70 ? 2 : roll < 88 ? 3 : 4;
    const guests = Array.from({ length: party - 1 }, () => {
      const relation = rng.pick(RELATIONS);
      return { name: `${rng.pick(FIRST_NAMES)} ${relation === 'family' || relation === 'partner' ? last : rng.pick(LAST_NAMES)}`, relation };
    });
    const email = `applicant${i + 1}@example.com`;
    const name = `${rng.pick(FIRST_NAMES)} ${last}`;
    const created = new Date(ms).toISOString();
    const verified = new Date(ms + (2 + rng.int(180)) * 60_000).toISOString();
    return {
      id: nextId({ clock: standingClock(ms), random: deps.random }),
      event_id: eventId,
      status: 'submitted',
      name,
      email,
      email_normalized: email,
      ...searchColumns({ name, email, guests }),
      country: rng.int(100) < 75 ? 'US' : rng.pick(OTHER_COUNTRIES),
      locale: rng.int(100) < 80 ? 'en' : 'de',
      party_size: party,
      guests: JSON.stringify(guests),
      answers: JSON.stringify({ why: rng.pick(WHY), fan: rng.int(2) ? 'yes' : 'no' }),
      consent_at: created,
      // Nobody holds this link: every mail after the draw brings its own.
      token_hash: hashToken(newToken(deps.random)),
      verified: 1,
      created_at: created,
      updated_at: verified,
      verified_at: verified,
      withdrawn_at: null,
    };
  });
  const counts = new Map<string, { event_id: string; day: string; country: string; shard: number; received: number; people: number }>();
  for (const r of rows) {
    const day = dayInZone(new Date(r.created_at), timezone);
    const key = `${day}\0${r.country}`;
    const c = counts.get(key) ?? { event_id: eventId, day, country: r.country, shard: 0, received: 0, people: 0 };
    c.received++;
    c.people += r.party_size;
    counts.set(key, c);
  }
  await deps.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 50) await trx.insertInto('applications').values(rows.slice(i, i + 50)).execute();
    await trx.insertInto('intake_counts').values([...counts.values()]).execute();
    await appendAudit(trx, {
      id: nextId({ clock: standingClock(tl.closesAt), random: deps.random }),
      at: tl.closesAt.toISOString(),
      actor: 'system',
      action: 'demo.applicants_seeded',
      eventId,
      data: { count: rows.length, synthetic: true },
    });
  });
  return rows.map((r) => r.email);
}
