import type { Kysely } from 'kysely';

/**
 * The offline door (issue 15, ADR 0015).
 * - event_door_keys: each event's Ed25519 key that signs ticket QR codes; the private key sealed with the
 *   server secret (platform/secret-box.ts), the public key given to door devices. offline_names: whether
 *   devices may keep holder names for an offline name search.
 * - door_devices: phones registered by door staff under a name and a door; the device's bearer token stored hashed.
 * - door_scans: every scan a device reports (online at once, offline later from its queue), unique per
 *   (device, client scan id) so a resent queue is answered alike. outcome admitted | already | conflict | refused.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_door_keys')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('offline_names', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('door_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('door', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('registered_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_reason', 'text')
    .execute();
  await db.schema.createIndex('door_devices_event').on('door_devices').columns(['event_id', 'created_at']).execute();
  await db.schema
    .createTable('door_scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('scan_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('door_scans_device_scan', ['device_id', 'scan_id'])
    .execute();
  await db.schema.createIndex('door_scans_event_received').on('door_scans').columns(['event_id', 'received_at']).execute();
  await db.schema.createIndex('door_scans_ticket').on('door_scans').column('ticket_id').execute();
  // The device's delta sync asks for tickets changed since its cursor.
  await db.schema.createIndex('tickets_event_checked_in').on('tickets').columns(['event_id', 'checked_in_at']).execute();
  await db.schema.createIndex('tickets_event_created').on('tickets').columns(['event_id', 'created_at']).execute();
  await db.schema.createIndex('tickets_event_voided').on('tickets').columns(['event_id', 'voided_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_event_voided').execute();
  await db.schema.dropIndex('tickets_event_created').execute();
  await db.schema.dropIndex('tickets_event_checked_in').execute();
  await db.schema.dropTable('door_scans').execute();
  await db.schema.dropTable('door_devices').execute();
  await db.schema.dropTable('event_door_keys').execute();
}
