import { sql } from 'kysely';
import type { Db, Trx } from '../db/connect.ts';
import type { EventRow } from '../db/schema.ts';
import type { BatchStore, KeyRow } from './batch-store.ts';
import { namespaceEnd, stemEnd } from './keys.ts';

/** Integer columns of the tables the intake writes; every other column it writes is text. */
const INTEGER_COLUMNS = new Set(['party_size', 'verified', 'attempts', 'status_code', 'shard', 'received', 'people']);

/**
 * The intake batch's statements for PostgreSQL (ADR 0004): every multi-row INSERT is
 * `INSERT … SELECT * FROM unnest($1::text[], $2::int[], …)` — one array parameter per column, so the
 * statement text is the same for 1 or 400 rows (no query builder walking thousands of values, a short
 * statement for the server to parse), and lookups probe the index once per element of an unnested array.
 */
export function pgBatchStore(trx: Db | Trx): BatchStore {
  async function insertRows(table: string, rows: object[], tail = '', returning?: string): Promise<string[]> {
    if (!rows.length) return [];
    const columns = Object.keys(rows[0]);
    const arrays = columns.map((c) => rows.map((r) => (r as Record<string, unknown>)[c] ?? null));
    const unnest = sql.join(arrays.map((a, i) => sql`${a}::${sql.raw(INTEGER_COLUMNS.has(columns[i]) ? 'integer' : 'text')}[]`));
    const query = sql<Record<string, string>>`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from unnest(${unnest})${sql.raw(tail)}${
      returning ? sql` returning ${sql.ref(returning)}` : sql``
    }`;
    const res = await query.execute(trx);
    return returning ? res.rows.map((r) => r[returning]) : [];
  }

  return {
    events: async (ids) => (await sql<EventRow>`select * from events where id = any(${ids}::text[])`.execute(trx)).rows,
    claimIdempotencyKeys: (rows) => insertRows('idempotency_keys', rows, ' on conflict (key_hash) do nothing', 'key_hash'),
    insertApplications: (rows) => insertRows('applications', rows, ' on conflict (event_id, email_normalized) do nothing', 'id'),
    applicationsByAddress: async (eventId, emails) =>
      (
        await sql<{ id: string; name: string; email: string; email_normalized: string }>`
          select a.id, a.name, a.email, a.email_normalized from unnest(${emails}::text[]) as p(e)
          cross join lateral (select id, name, email, email_normalized from applications a
            where a.event_id = ${eventId} and a.email_normalized = p.e limit 1) a`.execute(trx)
      ).rows,
    insertLinks: async (rows) => void (await insertRows('application_links', rows)),
    insertOutbox: async (rows) => void (await insertRows('outbox', rows)),
    insertAudit: async (rows) => void (await insertRows('audit_log', rows)),
    insertFlags: async (rows) => void (await insertRows('application_flags', rows)),
    // One index range per stem: LATERAL … LIMIT keeps it a probe per element. Without the LIMIT, with the
    // statistics of a table that was empty when the rush began, PostgreSQL materialised every key of the event
    // and filtered it once per stem (620 ms for 500 stems at 12,000 keys; `= ANY($1)` or a plain join did the
    // same with equality). A stem holds at most one row per country (ISO 3166: 249) plus one for guests, so
    // 300 never cuts a range short. The key column is collated "C" (migration 023): byte order, as on SQLite.
    findKeys: async (eventId, stems) =>
      (
        await sql<KeyRow>`select ${eventId}::text as event_id, k.key, k.application_id from unnest(${stems}::text[], ${stems.map(stemEnd)}::text[]) as p(lo, hi)
          cross join lateral (select key, application_id from intake_keys k where k.event_id = ${eventId} and k.key >= p.lo and k.key < p.hi limit 300) k`.execute(trx)
      ).rows,
    hasKeysIn: async (eventId, namespaces) =>
      (
        await sql`select 1 from unnest(${[...namespaces]}::text[], ${namespaces.map(namespaceEnd)}::text[]) as p(lo, hi)
          cross join lateral (select 1 from intake_keys k where k.event_id = ${eventId} and k.key >= p.lo and k.key < p.hi limit 1) k limit 1`.execute(trx)
      ).rows.length > 0,
    insertKeys: async (rows) => void (await insertRows('intake_keys', rows, ' on conflict (event_id, key) do nothing')),
    bumpCounters: async (rows) =>
      void (await insertRows(
        'intake_counts',
        rows,
        ' on conflict (event_id, day, country, shard) do update set received = intake_counts.received + excluded.received, people = intake_counts.people + excluded.people',
      )),
  };
}
