import type { Kysely } from 'kysely';

/**
 * A draw nobody can steer (issue 11, ADR 0011).
 * - randomness_kind: 'drand' or 'unverified' for admit-draw/2 draws; null for draws of format /1.
 * - beacon_chain, beacon_round: the drand round named at the commitment (its time is after the planned freeze).
 * - committed_parameters: seats and groups (weights, quotas) fixed at the commitment, JSON.
 * - exclusions: applications not in the entry list at the freeze, counted by reason, JSON.
 * - frozen draws are found by the draw job through draws_status_round.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('draws').addColumn('randomness_kind', 'text').execute();
  await db.schema.alterTable('draws').addColumn('beacon_chain', 'text').execute();
  await db.schema.alterTable('draws').addColumn('beacon_round', 'bigint').execute();
  await db.schema.alterTable('draws').addColumn('committed_parameters', 'text').execute();
  await db.schema.alterTable('draws').addColumn('exclusions', 'text').execute();
  await db.schema.createIndex('draws_status_round').on('draws').columns(['status', 'beacon_round']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('draws_status_round').execute();
  for (const c of ['exclusions', 'committed_parameters', 'beacon_round', 'beacon_chain', 'randomness_kind']) {
    await db.schema.alterTable('draws').dropColumn(c).execute();
  }
}
