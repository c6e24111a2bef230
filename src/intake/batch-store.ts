import type { Insertable } from 'kysely';
import type {
  ApplicationFlagsTable,
  ApplicationsTable,
  AuditLogTable,
  EventRow,
  IdempotencyKeysTable,
  IntakeCountsTable,
  IntakeKeysTable,
  OutboxTable,
} from '../db/schema.ts';

export type Maybe<T> = T | Promise<T>;

export type KeyRow = IntakeKeysTable;
export type CounterRow = IntakeCountsTable;

/**
 * The statements one intake batch needs, inside one open transaction. Two implementations: PostgreSQL
 * (pg-store.ts, unnest arrays) and SQLite (sqlite-store.ts, prepared statements on the writer thread or the
 * serving connection). The batch logic (application-batch.ts) is written once against this interface.
 * Every list argument is small enough for one statement's parameters (the caller chunks).
 */
export interface BatchStore {
  events(ids: string[]): Maybe<EventRow[]>;
  /** Inserts keys that are new; returns the key hashes this transaction claimed. */
  claimIdempotencyKeys(rows: Insertable<IdempotencyKeysTable>[]): Maybe<string[]>;
  /** Inserts applications whose (event, normalized address) is new; returns the ids inserted. */
  insertApplications(rows: Insertable<ApplicationsTable>[]): Maybe<string[]>;
  applicationsByAddress(eventId: string, emailsNormalized: string[]): Maybe<{ id: string; name: string; email: string; email_normalized: string }[]>;
  insertLinks(rows: { token_hash: string; application_id: string; created_at: string }[]): Maybe<void>;
  insertOutbox(rows: Insertable<OutboxTable>[]): Maybe<void>;
  insertAudit(rows: Insertable<AuditLogTable>[]): Maybe<void>;
  insertFlags(rows: Insertable<ApplicationFlagsTable>[]): Maybe<void>;
  /** Every stored key of the event under these stems: the stem itself and `stem.…` (see intake/keys.ts). */
  findKeys(eventId: string, stems: string[]): Maybe<KeyRow[]>;
  /** Whether the event holds keys in these namespaces (e.g. 'p:'), stored by an earlier version. */
  hasKeysIn(eventId: string, namespaces: readonly string[]): Maybe<boolean>;
  /** Keeps an existing holder of a key (another batch or instance may have stored it first). */
  insertKeys(rows: KeyRow[]): Maybe<void>;
  bumpCounters(rows: CounterRow[]): Maybe<void>;
}
