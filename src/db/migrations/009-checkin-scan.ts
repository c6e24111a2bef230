import type { Kysely } from 'kysely';

/**
 * The scan that checked a ticket in (a client-made id). The same scan sent again — a retry after the answer
 * was lost on the network — gets "admitted" again instead of "already checked in".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('checked_in_scan', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('checked_in_scan').execute();
}
