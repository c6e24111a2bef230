import { type Insertable, sql } from 'kysely';
import { AppError } from '../errors.ts';
import { type ValidApplication, validateApplication } from '../domain/application.ts';
import { contentFor, intakeState } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import type { Db, Dialect, Trx } from '../db/connect.ts';
import { eventFromRow } from '../db/repositories/events.ts';
import type { ApplicationsTable, AuditLogTable, EventRow, OutboxTable } from '../db/schema.ts';
import { alreadyAppliedMail } from '../mail/render.ts';
import { outboxRow } from '../mail/outbox.ts';
import { hashToken } from '../platform/random.ts';
import type { IntakeKeys } from './keys.ts';

/**
 * One application, validated and turned into rows before it queues, so the batch transaction only writes.
 * Everything that needs time or randomness (ids, the token, the rendered mail) is made here by the service.
 */
export interface PreparedApplication {
  eventId: string;
  /** The event row the application was validated against (see recheck below). */
  eventRow: EventRow;
  now: Date;
  value: ValidApplication;
  application: Insertable<ApplicationsTable>;
  verifyMail: Insertable<OutboxTable>;
  audit: Insertable<AuditLogTable>;
  keys: IntakeKeys;
  /** YYYY-MM-DD in the event's time zone, for the intake counters. */
  day: string;
  /** The link mailed if this turns out to be a repeat: the fresh token's status page. */
  repeatLink: { token: string; url: string };
  locale: Locale;
  newId(): string;
  idempotency?: { keyHash: string; requestHash: string; statusCode: number; response: string; expiresAt: string };
}

export type BatchOutcome =
  /** A new application row. */
  | { kind: 'created' }
  /** The address had applied already: no new row, an "already applied" mail with a fresh link. */
  | { kind: 'repeat' }
  /** The idempotency key was used before (possibly by another instance): answer what was stored. */
  | { kind: 'replayed'; keyHash: string };

export interface BatchContext {
  dialect: Dialect;
  /** Spreads counter updates of concurrent transactions over rows (see intake_counts). */
  shard: number;
}

const CHUNK = 400;
function* chunks<T>(xs: T[], n = CHUNK): Generator<T[]> {
  for (let i = 0; i < xs.length; i += n) yield xs.slice(i, i + n);
}

/** The event columns that decide whether and how an application is accepted. */
const RULES = ['status', 'applications_open_at', 'applications_close_at', 'max_party_size', 'preferred_countries', 'others_may_apply', 'questions'] as const;

/**
 * Commits one batch in ONE transaction: per-row outcomes in order. Order of work inside:
 *  1. re-check each event (fresh row; the caller validated against a short-lived cache),
 *  2. claim idempotency keys (ON CONFLICT DO NOTHING; a lost key answers what its winner stored),
 *  3. insert applications with ON CONFLICT (event_id, email_normalized) DO NOTHING RETURNING id — the
 *     unique index decides repeats, within the batch and against rows of other batches and instances,
 *  4. repeats get an access link + "already applied" mail to the address on file (no enumeration),
 *  5. outbox + audit rows for all, then review flags, lookup keys and counters for the new ones.
 */
export async function commitApplicationBatch(db: Db, ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
  if (ctx.dialect === 'postgres') return db.transaction().execute((trx) => writeBatch(trx, ctx, items));
  // SQLite: BEGIN IMMEDIATE takes the write lock up front (no lock upgrade that could fail half-way), and the
  // original error survives: after SQLITE_FULL or an I/O error SQLite has already rolled back, and Kysely's
  // own ROLLBACK would then fail and replace "disk full" with "no transaction is active".
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await writeBatch(conn, ctx, items);
      await sql`commit`.execute(conn);
      return out;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}

async function writeBatch(trx: Db | Trx, ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
  const out: Array<BatchOutcome | Error | undefined> = new Array(items.length);
  const nowIso = items[0].application.created_at;

  // 1. Events, fresh. Closing, reopening or editing the rules is seen here at the latest.
  const eventIds = [...new Set(items.map((i) => i.eventId))];
  const fresh = new Map((await trx.selectFrom('events').selectAll().where('id', 'in', eventIds).execute()).map((r) => [r.id, r]));
  items.forEach((it, i) => {
    const row = fresh.get(it.eventId);
    if (!row || row.status === 'draft') return void (out[i] = new AppError('event.not_found'));
    if (RULES.every((k) => row[k] === it.eventRow[k])) return;
    const event = eventFromRow(row);
    const state = intakeState(event, it.now);
    if (state !== 'open') return void (out[i] = new AppError(state === 'closed' ? 'event.closed' : 'event.not_open'));
    const { value, errors } = validateApplication(event, { ...it.value, consent: true });
    if (!value) out[i] = new AppError('validation.failed', { fields: errors });
  });

  // 2. Idempotency keys.
  const keyed = items.flatMap((it, i) => (out[i] || !it.idempotency ? [] : [i]));
  if (keyed.length) {
    const claimed = new Set<string>();
    const firstOfKey = new Map<string, number>();
    for (const i of keyed) if (!firstOfKey.has(items[i].idempotency!.keyHash)) firstOfKey.set(items[i].idempotency!.keyHash, i);
    for (const part of chunks([...firstOfKey.values()])) {
      const rows = await trx
        .insertInto('idempotency_keys')
        .values(
          part.map((i) => {
            const k = items[i].idempotency!;
            return { key_hash: k.keyHash, request_hash: k.requestHash, status_code: k.statusCode, response: k.response, created_at: nowIso, expires_at: k.expiresAt };
          }),
        )
        .onConflict((oc) => oc.column('key_hash').doNothing())
        .returning('key_hash')
        .execute();
      for (const r of rows) claimed.add(r.key_hash);
    }
    for (const i of keyed) {
      const k = items[i].idempotency!.keyHash;
      if (firstOfKey.get(k) !== i || !claimed.has(k)) out[i] = { kind: 'replayed', keyHash: k };
    }
  }

  // 3. Applications. The first of several same-address items in this batch is the candidate.
  const candidates: number[] = [];
  const repeats: number[] = [];
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (out[i]) return;
    const k = `${it.eventId}\0${it.application.email_normalized}`;
    if (seen.has(k)) repeats.push(i);
    else {
      seen.add(k);
      candidates.push(i);
    }
  });
  const created = new Set<string>();
  for (const part of chunks(candidates)) {
    const rows = await trx
      .insertInto('applications')
      .values(part.map((i) => items[i].application))
      .onConflict((oc) => oc.columns(['event_id', 'email_normalized']).doNothing())
      .returning('id')
      .execute();
    for (const r of rows) created.add(r.id);
  }
  const news: number[] = [];
  for (const i of candidates) {
    if (created.has(items[i].application.id)) {
      news.push(i);
      out[i] = { kind: 'created' };
    } else repeats.push(i);
  }

  // 4. Repeats: the existing application gets a fresh link, mailed to the address on file.
  const mails: Insertable<OutboxTable>[] = news.map((i) => items[i].verifyMail);
  const audits: Insertable<AuditLogTable>[] = news.map((i) => items[i].audit);
  if (repeats.length) {
    const links: { token_hash: string; application_id: string; created_at: string }[] = [];
    const byEvent = new Map<string, number[]>();
    for (const i of repeats) byEvent.set(items[i].eventId, [...(byEvent.get(items[i].eventId) ?? []), i]);
    for (const [eventId, idx] of byEvent) {
      const existing = new Map<string, { id: string; name: string; email: string }>();
      for (const part of chunks([...new Set(idx.map((i) => items[i].application.email_normalized))])) {
        const rows = await trx
          .selectFrom('applications')
          .select(['id', 'name', 'email', 'email_normalized'])
          .where('event_id', '=', eventId)
          .where('email_normalized', 'in', part)
          .execute();
        for (const r of rows) existing.set(r.email_normalized, r);
      }
      const event = eventFromRow(fresh.get(eventId)!);
      for (const i of idx) {
        const it = items[i];
        out[i] = { kind: 'repeat' };
        const app = existing.get(it.application.email_normalized);
        // Gone meanwhile (purged or erased): nothing to point to, and still the same answer.
        if (!app) continue;
        links.push({ token_hash: hashToken(it.repeatLink.token), application_id: app.id, created_at: nowIso });
        mails.push(
          outboxRow({
            id: it.newId(),
            kind: 'application.already_applied',
            to: app.email,
            eventId,
            now: nowIso,
            mail: alreadyAppliedMail(it.locale, { name: app.name, eventTitle: contentFor(event, it.locale).title, url: it.repeatLink.url }),
          }),
        );
        audits.push({ id: it.newId(), at: nowIso, actor: 'applicant', action: 'application.resubmitted', event_id: eventId, subject_id: app.id, data: '{}' });
      }
    }
    for (const part of chunks(links)) await trx.insertInto('application_links').values(part).execute();
  }

  // 5. Mail, audit, and for new applications: review flags, lookup keys, counters.
  for (const part of chunks(mails)) await trx.insertInto('outbox').values(part).execute();
  for (const part of chunks(audits)) await trx.insertInto('audit_log').values(part).execute();
  if (news.length) {
    const keys = await writeFlagsAndKeys(trx, items, news, nowIso);
    await bumpCounters(trx, ctx, items, news);
    await writeKeys(trx, keys);
  }
  return out.map((o) => o ?? new Error('intake: item without outcome'));
}

/**
 * Likely duplicates and same-household parties are flagged for review, never dropped: the earlier
 * application stays unflagged, the later one points to the first application that had the key. One point
 * lookup per key (an IN query per event and batch).
 */
async function writeFlagsAndKeys(
  trx: Db | Trx,
  items: PreparedApplication[],
  news: number[],
  nowIso: string,
): Promise<{ event_id: string; key: string; application_id: string }[]> {
  const byEvent = new Map<string, number[]>();
  for (const i of news) byEvent.set(items[i].eventId, [...(byEvent.get(items[i].eventId) ?? []), i]);
  const flags: { application_id: string; kind: 'possible_duplicate' | 'same_household'; event_id: string; related_id: string | null; reason: string; created_at: string }[] = [];
  const keys: { event_id: string; key: string; application_id: string }[] = [];
  for (const [eventId, idx] of byEvent) {
    const probes = [...new Set(idx.flatMap((i) => [...items[i].keys.probes.keys()]))];
    const earlier = new Map<string, string>();
    for (const part of chunks(probes, 500)) {
      const rows = await trx.selectFrom('intake_keys').select(['key', 'application_id']).where('event_id', '=', eventId).where('key', 'in', part).execute();
      for (const r of rows) earlier.set(r.key, r.application_id);
    }
    for (const i of idx) {
      const id = items[i].application.id;
      const mine = new Set<string>();
      for (const [key, p] of items[i].keys.probes) {
        const other = earlier.get(key);
        if (!other || other === id || mine.has(p.kind)) continue;
        mine.add(p.kind);
        flags.push({ application_id: id, kind: p.kind, event_id: eventId, related_id: other, reason: p.reason, created_at: nowIso });
      }
      for (const key of items[i].keys.own) {
        // Only the first holder of a key is stored; later items of this batch see this one as earlier.
        if (earlier.has(key)) continue;
        earlier.set(key, id);
        keys.push({ event_id: eventId, key, application_id: id });
      }
    }
  }
  for (const part of chunks(flags)) await trx.insertInto('application_flags').values(part).execute();
  return keys;
}

/**
 * Last statement before COMMIT: on PostgreSQL a concurrent batch inserting the same key waits for our commit,
 * so the keys are written as late as possible and in one global order (sorted), which also rules out deadlocks.
 */
async function writeKeys(trx: Db | Trx, keys: { event_id: string; key: string; application_id: string }[]): Promise<void> {
  keys.sort((a, b) => (a.event_id === b.event_id ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.event_id < b.event_id ? -1 : 1));
  for (const part of chunks(keys, 800)) {
    // Another instance's concurrent batch may have stored the same key first: theirs stays.
    await trx.insertInto('intake_keys').values(part).onConflict((oc) => oc.columns(['event_id', 'key']).doNothing()).execute();
  }
}

async function bumpCounters(trx: Db | Trx, ctx: BatchContext, items: PreparedApplication[], news: number[]): Promise<void> {
  const groups = new Map<string, { event_id: string; day: string; country: string; shard: number; received: number; people: number }>();
  for (const i of news) {
    const it = items[i];
    const k = `${it.eventId}\0${it.day}\0${it.application.country}`;
    const g = groups.get(k);
    if (g) {
      g.received++;
      g.people += it.application.party_size;
    } else groups.set(k, { event_id: it.eventId, day: it.day, country: it.application.country, shard: ctx.shard, received: 1, people: it.application.party_size });
  }
  for (const part of chunks([...groups.values()])) {
    await trx
      .insertInto('intake_counts')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['event_id', 'day', 'country', 'shard']).doUpdateSet((eb) => ({
          received: eb('intake_counts.received', '+', eb.ref('excluded.received')),
          people: eb('intake_counts.people', '+', eb.ref('excluded.people')),
        })),
      )
      .execute();
  }
}
