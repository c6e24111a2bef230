import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * The intake, the next step (issue 12 §2, ADR 0004).
 * - intake_keys.key collated "C" on PostgreSQL: one name namespace (src/intake/keys.ts) looks a name up as the
 *   range of keys under its stem, `stem` ≤ key < `stem/`, which needs byte order — what SQLite's BINARY
 *   collation already is, and what a database created with a language collation (en_US.UTF-8 sorts '.' and
 *   '/' by other rules) is not. Rebuilds the primary key index; keys stored before keep matching (see
 *   legacyProbesOf) and need no rewrite — they are HMACs of names the migration cannot recompute without the
 *   server secret.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (!sqlite) await sql`alter table intake_keys alter column key type text collate "C"`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (!sqlite) await sql`alter table intake_keys alter column key type text collate "default"`.execute(db);
}
