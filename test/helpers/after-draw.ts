import type { Event } from '../../src/domain/event.ts';
import type { Database } from '../../src/db/connect.ts';
import { hashToken, newToken } from '../../src/platform/random.ts';
import { nextId } from '../../src/services/ids.ts';
import type { TestContext } from './context.ts';

/** Test setup for the after-draw journey: parties inserted straight into the state under test. */
export interface PartyOptions {
  status: string;
  name?: string;
  email?: string;
  locale?: 'en' | 'de';
  guests?: string[];
  /** Seats held (offered/confirmed); default 1 + guests. */
  seats?: number | null;
  drawPosition?: number | null;
  entryId?: string | null;
  /** Default: now + 72 h for offers. */
  offerExpiresAt?: string | null;
  offerSource?: string | null;
}

export interface Party {
  id: string;
  token: string;
  email: string;
}

let n = 0;

export async function insertParty(ctx: TestContext, event: Event, o: PartyOptions): Promise<Party> {
  const id = nextId(ctx.deps);
  const token = newToken(ctx.deps.random);
  const nowIso = ctx.clock.now().toISOString();
  const guests = (o.guests ?? []).map((name) => ({ name, relation: 'friend' }));
  const email = o.email ?? `p${++n}-${id.slice(-6)}@example.com`;
  const holds = o.status === 'offered' || o.status === 'confirmed';
  await ctx.db.db
    .insertInto('applications')
    .values({
      id,
      event_id: event.id,
      status: o.status,
      name: o.name ?? `Person ${n}`,
      email,
      email_normalized: email,
      country: 'US',
      locale: o.locale ?? 'en',
      party_size: 1 + guests.length,
      guests: JSON.stringify(guests),
      answers: JSON.stringify({ why: 'because' }),
      consent_at: nowIso,
      token_hash: hashToken(token),
      verified: 1,
      created_at: nowIso,
      updated_at: nowIso,
      verified_at: nowIso,
      withdrawn_at: null,
      offer_source: o.offerSource ?? (holds ? 'draw' : null),
      offer_expires_at: o.offerExpiresAt !== undefined ? o.offerExpiresAt : o.status === 'offered' ? new Date(ctx.clock.now().getTime() + 72 * 3_600_000).toISOString() : null,
      seats: o.seats !== undefined ? o.seats : holds ? 1 + guests.length : null,
      draw_position: o.drawPosition ?? null,
      entry_id: o.entryId ?? null,
    })
    .execute();
  return { id, token, email };
}

export async function statusOf(db: Database, id: string): Promise<string> {
  const row = await db.db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}

/** Seats held against capacity (offered + confirmed). */
export async function heldSeats(db: Database, eventId: string): Promise<number> {
  const row = await db.db
    .selectFrom('applications')
    .select((eb) => eb.fn.sum<number | string | null>('seats').as('n'))
    .where('event_id', '=', eventId)
    .where('status', 'in', ['offered', 'confirmed'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countWhere(db: Database, table: 'outbox' | 'audit_log' | 'tickets', where: Record<string, string>): Promise<number> {
  let q = db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  for (const [k, v] of Object.entries(where)) q = q.where(k as never, '=', v as never);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A waitlist of parties (sizes) at draw positions from `from`. */
export async function waitlist(ctx: TestContext, event: Event, sizes: number[], from = 100): Promise<Party[]> {
  const out: Party[] = [];
  for (const [i, size] of sizes.entries()) {
    out.push(
      await insertParty(ctx, event, {
        status: 'waitlisted',
        guests: Array.from({ length: size - 1 }, (_, k) => `Guest ${i}.${k + 1}`),
        drawPosition: from + i,
      }),
    );
  }
  return out;
}

/**
 * An event 40 days ahead (4 hours long) whose draw has just run (status drawn, an empty bundle): the state in
 * which retention starts counting. Returns the event and the draw's time.
 */
export async function insertDrawnEvent(ctx: TestContext): Promise<{ event: Event; drawnAt: string }> {
  const DAY = 86_400_000;
  const start = ctx.clock.now().getTime();
  const event = await ctx.makeEvent({ capacity: 10, startsAt: new Date(start + 40 * DAY).toISOString(), endsAt: new Date(start + 40 * DAY + 4 * 3_600_000).toISOString() });
  const drawnAt = ctx.clock.now().toISOString();
  await ctx.db.db
    .insertInto('draws')
    .values({ id: 'dr-' + event.id, event_id: event.id, status: 'drawn', commitment: 'c'.repeat(64), secret: 's'.repeat(64), committed_at: drawnAt, drawn_at: drawnAt, bundle: '{"entries":[]}' })
    .execute();
  return { event, drawnAt };
}
