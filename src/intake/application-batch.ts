import type { Insertable } from 'kysely';
import { AppError } from '../errors.ts';
import { type ValidApplication, validateApplication } from '../domain/application.ts';
import { contentFor, intakeState } from '../domain/event.ts';
import type { Locale } from '../domain/locales.ts';
import type { Database, Dialect } from '../db/connect.ts';
import { eventFromRow } from '../db/repositories/events.ts';
import type { ApplicationFlagsTable, ApplicationsTable, AuditLogTable, EventRow, OutboxTable } from '../db/schema.ts';
import type SQLite from 'better-sqlite3';
import type { BatchStore, CounterRow, KeyRow } from './batch-store.ts';
import { sqliteBatchStore } from './sqlite-store.ts';
import { pgBatchStore } from './pg-store.ts';
import { outboxRow } from '../mail/outbox.ts';
import { groupBy } from '../platform/group-by.ts';
import { parseSplitToken, storedSplitToken } from '../platform/split-token.ts';
import { type IntakeKeys, LEGACY_NAMESPACES, legacyProbesOf, type Probe, type ProbeKind } from './keys.ts';

/**
 * One application, validated and turned into rows before it queues, so the batch transaction only writes.
 * Everything that needs time or randomness (ids, the token, the rendered mail) is made here by the service.
 * Plain data only (structured-clone safe): on SQLite the batch is written by a writer thread.
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
  /**
   * The link mailed if this turns out to be a repeat: a fresh split token `<link id>-<secret>` for application_links
   * (its stored value sorts by the link's time-ordered id, like the row's own).
   */
  repeatLink: { token: string; url: string };
  locale: Locale;
  /** Ids for the "already applied" mail and its audit row, used only if this turns out to be a repeat. */
  spareIds: [mailId: string, auditId: string];
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
 *  3. insert applications with ON CONFLICT (event_id, email_normalized) DO NOTHING — the unique index
 *     decides repeats, within the batch and against rows of other batches and instances,
 *  4. repeats get an access link + "already applied" mail to the address on file (no enumeration),
 *  5. outbox + audit rows for all, then review flags, lookup keys and counters for the new ones.
 */
export async function commitApplicationBatch(database: Database, ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
  if (database.dialect === 'postgres') return database.db.transaction().execute((trx) => writeBatch(pgBatchStore(trx), ctx, items));
  const raw = database.sqlite;
  if (!raw) throw new Error('intake: SQLite database without its connection');
  // Holding Kysely's connection: nothing else runs on it until COMMIT. BEGIN IMMEDIATE takes the write lock
  // up front (no lock upgrade that could fail half-way).
  return database.db.connection().execute(() => writeSqliteBatch(raw, ctx, items));
}

/**
 * One batch in BEGIN IMMEDIATE … COMMIT on a better-sqlite3 connection (the writer thread's, or the serving
 * connection when there is no writer thread). The original error survives: after SQLITE_FULL or an I/O error
 * SQLite has already rolled back, and a second ROLLBACK would replace "disk full" with "no transaction".
 */
export async function writeSqliteBatch(raw: SQLite.Database, ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
  raw.exec('begin immediate');
  try {
    const out = await writeBatch(sqliteBatchStore(raw), ctx, items);
    raw.exec('commit');
    return out;
  } catch (err) {
    if (raw.inTransaction) {
      try {
        raw.exec('rollback');
      } catch {
        /* already rolled back */
      }
    }
    throw err;
  }
}

/** The batch, written through a store inside a transaction the caller opened and will commit. */
export async function writeBatch(store: BatchStore, ctx: BatchContext, items: PreparedApplication[]): Promise<Array<BatchOutcome | Error>> {
  const out: Array<BatchOutcome | Error | undefined> = new Array(items.length);
  const nowIso = items[0].application.created_at;

  // 1. Events, fresh. Closing, reopening or editing the rules is seen here at the latest.
  const eventIds = [...new Set(items.map((i) => i.eventId))];
  const fresh = new Map((await store.events(eventIds)).map((r) => [r.id, r]));
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
      const rows = part.map((i) => {
        const k = items[i].idempotency!;
        return { key_hash: k.keyHash, request_hash: k.requestHash, status_code: k.statusCode, response: k.response, created_at: nowIso, expires_at: k.expiresAt };
      });
      for (const key of await store.claimIdempotencyKeys(rows)) claimed.add(key);
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
    for (const id of await store.insertApplications(part.map((i) => items[i].application))) created.add(id);
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
    for (const [eventId, idx] of groupBy(repeats, (i) => items[i].eventId)) {
      const existing = new Map<string, { id: string; name: string; email: string }>();
      for (const part of chunks([...new Set(idx.map((i) => items[i].application.email_normalized))])) {
        for (const r of await store.applicationsByAddress(eventId, part)) existing.set(r.email_normalized, r);
      }
      const event = eventFromRow(fresh.get(eventId)!);
      for (const i of idx) {
        const it = items[i];
        out[i] = { kind: 'repeat' };
        const app = existing.get(it.application.email_normalized);
        // Gone meanwhile (purged or erased): nothing to point to, and still the same answer.
        if (!app) continue;
        links.push({ token_hash: storedSplitToken(parseSplitToken(it.repeatLink.token)!), application_id: app.id, created_at: nowIso });
        mails.push(
          outboxRow({
            id: it.spareIds[0],
            kind: 'application.already_applied',
            to: app.email,
            eventId,
            now: nowIso,
            template: { name: 'application.already_applied', locale: it.locale, params: { name: app.name, eventTitle: contentFor(event, it.locale).title, url: it.repeatLink.url } },
          }),
        );
        audits.push({ id: it.spareIds[1], at: nowIso, actor: 'applicant', action: 'application.resubmitted', event_id: eventId, subject_id: app.id, data: '{}' });
      }
    }
    for (const part of chunks(links)) await store.insertLinks(part);
  }

  // 5. Mail, audit, and for new applications: review flags, lookup keys, counters.
  for (const part of chunks(mails)) await store.insertOutbox(part);
  for (const part of chunks(audits)) await store.insertAudit(part);
  if (news.length) {
    const keys = await writeFlags(store, items, news, nowIso);
    for (const part of chunks(counters(ctx, items, news))) await store.bumpCounters(part);
    // Last before COMMIT: on PostgreSQL a concurrent batch inserting the same key waits for our commit, so
    // keys are written as late as possible and in one global order (sorted), which also rules out deadlocks.
    keys.sort((a, b) => (a.event_id === b.event_id ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.event_id < b.event_id ? -1 : 1));
    for (const part of chunks(keys, 800)) await store.insertKeys(part);
  }
  return out.map((o) => o ?? new Error('intake: item without outcome'));
}

/**
 * Likely duplicates and same-household parties are flagged for review, never dropped: the earlier
 * application stays unflagged, the later one points to an earlier application that had the key (the earliest
 * id when several match, e.g. applicants of one name from several countries). One index range per stem
 * (intake/keys.ts). Returns the keys to store (only the first holder of each).
 */
async function writeFlags(store: BatchStore, items: PreparedApplication[], news: number[], nowIso: string): Promise<KeyRow[]> {
  const flags: Insertable<ApplicationFlagsTable>[] = [];
  const keys: KeyRow[] = [];
  for (const [eventId, idx] of groupBy(news, (i) => items[i].eventId)) {
    // Keys stored before the single name namespace are still looked up while the event holds any.
    const legacy = await store.hasKeysIn(eventId, LEGACY_NAMESPACES);
    const probesOf = (i: number) => (legacy ? [...items[i].keys.probes, ...legacyProbesOf(items[i].keys.probes)] : items[i].keys.probes);
    const stems = [...new Set(idx.flatMap((i) => probesOf(i).map((p) => p.stem)))];
    /** stem → the keys stored under it (and, as the batch goes on, those of its earlier items). */
    const earlier = new Map<string, { key: string; id: string }[]>();
    const stemOf = (key: string) => (key.startsWith('n:') ? key.slice(0, key.indexOf('.')) : key);
    const remember = (key: string, id: string) => {
      const stem = stemOf(key);
      const list = earlier.get(stem);
      if (list) list.push({ key, id });
      else earlier.set(stem, [{ key, id }]);
    };
    for (const part of chunks(stems, 500)) for (const r of await store.findKeys(eventId, part)) remember(r.key, r.application_id);
    for (const i of idx) {
      const id = items[i].application.id;
      const mine = new Set<string>();
      for (const f of items[i].keys.flags ?? []) {
        mine.add(f.kind);
        flags.push({ application_id: id, kind: f.kind, event_id: eventId, related_id: null, reason: f.reason, created_at: nowIso });
      }
      // The first probe of a kind that matches gives the reason; the earliest application any probe of that
      // kind and reason matches is the related one (an old key and a new one may both hold the name).
      const found = new Map<ProbeKind, { reason: Probe['reason']; other: string }>();
      for (const p of probesOf(i)) {
        const sofar = found.get(p.kind);
        if (mine.has(p.kind) || (sofar && sofar.reason !== p.reason)) continue;
        for (const r of earlier.get(p.stem) ?? []) {
          if (r.id === id || !(p.prefix ? r.key.startsWith(p.key) : r.key === p.key)) continue;
          const best = found.get(p.kind);
          if (!best) found.set(p.kind, { reason: p.reason, other: r.id });
          else if (r.id < best.other) best.other = r.id;
        }
      }
      for (const [kind, { reason, other }] of found) {
        flags.push({ application_id: id, kind, event_id: eventId, related_id: other, reason, created_at: nowIso });
      }
      for (const key of items[i].keys.own) {
        // Only the first holder of a key is stored; later items of this batch see this one as earlier.
        if (earlier.get(stemOf(key))?.some((r) => r.key === key)) continue;
        remember(key, id);
        keys.push({ event_id: eventId, key, application_id: id });
      }
    }
  }
  for (const part of chunks(flags)) await store.insertFlags(part);
  return keys;
}

function counters(ctx: BatchContext, items: PreparedApplication[], news: number[]): CounterRow[] {
  const groups = new Map<string, CounterRow>();
  for (const i of news) {
    const it = items[i];
    const k = `${it.eventId}\0${it.day}\0${it.application.country}`;
    const g = groups.get(k);
    if (g) {
      g.received++;
      g.people += it.application.party_size;
    } else groups.set(k, { event_id: it.eventId, day: it.day, country: it.application.country, shard: ctx.shard, received: 1, people: it.application.party_size });
  }
  return [...groups.values()];
}
