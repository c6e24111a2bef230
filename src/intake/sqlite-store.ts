import type BetterSqlite3 from 'better-sqlite3';
import type { EventRow } from '../db/schema.ts';
import type { BatchStore, KeyRow } from './batch-store.ts';
import { namespaceEnd, stemEnd } from './keys.ts';

type Row = Record<string, unknown>;

/**
 * The writer connection's settings. temp_store = MEMORY: with a trigger on `applications` (migration 006)
 * every INSERT needs a statement journal (the trigger could still fail after the row went in), and on disk
 * that journal cost ~25 µs per application — half of the row's insert (ADR 0004). A batch's journal is small.
 */
export function configureWriterConnection(db: BetterSqlite3.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 20000'); // the checkpointer thread does it in small steps (sqlite-checkpointer.ts)
}

/**
 * The intake batch's statements as prepared better-sqlite3 statements, one row per execution (ADR 0004):
 * inside one transaction a prepared single-row statement costs a few microseconds, less than building and
 * parsing a 400-row multi-VALUES statement — and there is no query builder in the loop. Runs in the SQLite
 * writer thread (sqlite-writer-worker.ts), synchronously; the caller holds BEGIN IMMEDIATE … COMMIT.
 */
export function sqliteBatchStore(db: BetterSqlite3.Database): BatchStore {
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const stmt = (text: string) => {
    let s = prepared.get(text);
    if (!s) {
      s = db.prepare(text);
      prepared.set(text, s);
    }
    return s;
  };
  /** Runs an INSERT for each row (statement per column set, cached); says per row whether it inserted. */
  const insertEach = (table: string, rows: object[], tail = ''): boolean[] =>
    rows.map((row) => {
      const r = row as Row;
      const columns = Object.keys(r);
      const s = stmt(`insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})${tail}`);
      return s.run(bindable(r, columns)).changes === 1;
    });

  return {
    events: (ids) => ids.map((id) => stmt('select * from events where id = ?').get(id) as EventRow | undefined).filter((r): r is EventRow => !!r),
    claimIdempotencyKeys(rows) {
      const inserted = insertEach('idempotency_keys', rows, ' on conflict (key_hash) do nothing');
      return rows.filter((_, i) => inserted[i]).map((r) => r.key_hash);
    },
    insertApplications(rows) {
      const inserted = insertEach('applications', rows, ' on conflict (event_id, email_normalized) do nothing');
      return rows.filter((_, i) => inserted[i]).map((r) => r.id);
    },
    applicationsByAddress(eventId, emails) {
      const s = stmt('select id, name, email, email_normalized from applications where event_id = ? and email_normalized = ?');
      return emails.flatMap((e) => (s.all(eventId, e) as { id: string; name: string; email: string; email_normalized: string }[]));
    },
    insertLinks(rows) {
      insertEach('application_links', rows);
    },
    insertOutbox(rows) {
      insertEach('outbox', rows);
    },
    insertAudit(rows) {
      insertEach('audit_log', rows);
    },
    insertFlags(rows) {
      insertEach('application_flags', rows);
    },
    findKeys(eventId, stems) {
      // One range per stem on the primary key (event_id, key): binary collation, so `stem` ≤ key < `stem/`.
      const s = stmt('select event_id, key, application_id from intake_keys where event_id = ? and key >= ? and key < ?');
      return stems.flatMap((k) => s.all(eventId, k, stemEnd(k)) as KeyRow[]);
    },
    hasKeysIn(eventId, namespaces) {
      const s = stmt('select 1 from intake_keys where event_id = ? and key >= ? and key < ? limit 1');
      return namespaces.some((ns) => s.get(eventId, ns, namespaceEnd(ns)) !== undefined);
    },
    insertKeys(rows) {
      insertEach('intake_keys', rows, ' on conflict (event_id, key) do nothing');
    },
    bumpCounters(rows) {
      insertEach(
        'intake_counts',
        rows,
        ' on conflict (event_id, day, country, shard) do update set received = intake_counts.received + excluded.received, people = intake_counts.people + excluded.people',
      );
    },
  };
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null — not booleans or undefined. */
function bindable(row: Row, columns: string[]): Row {
  let copy: Row | null = null;
  for (const c of columns) {
    const v = row[c];
    if (v === undefined || typeof v === 'boolean') {
      copy ??= { ...row };
      copy[c] = v === undefined ? null : v ? 1 : 0;
    }
  }
  return copy ?? row;
}
