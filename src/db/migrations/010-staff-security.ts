import { type Kysely, sql } from 'kysely';

/**
 * Staff identity and least privilege (issue 10):
 * - event_staff: per-event teams. Owners and admins act on every event; reviewers and door staff only on the
 *   events whose team they are in. Existing reviewer/door accounts are put on the team of every existing event,
 *   so an upgrade takes nobody's work away; from now on the owner adds them to new events explicitly.
 * - sessions.last_seen_at / user_agent: idle expiry and the "your sessions" page.
 * - password_resets: one-time, short-lived reset links (only the SHA-256 of the token is stored).
 * - staff_totp / staff_recovery_codes: two-factor sign-in (the TOTP secret sealed with a key derived from the
 *   server secret; recovery codes stored as hashes, single use); security_settings: the owner's 2FA policy.
 * - staff_passkeys: WebAuthn credentials (public keys only) for signing in with a passkey.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_staff')
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_staff_pk', ['event_id', 'user_id'])
    .execute();
  await db.schema.createIndex('event_staff_user_idx').on('event_staff').columns(['user_id', 'event_id']).execute();
  await sql`INSERT INTO event_staff (event_id, user_id, added_at, added_by)
    SELECT e.id, u.id, '1970-01-01T00:00:00.000Z', 'migration'
    FROM events e CROSS JOIN users u WHERE u.role IN ('reviewer', 'door')`.execute(db);

  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('password_resets_user_idx').on('password_resets').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('staff_totp')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('last_step', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('staff_recovery_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('staff_recovery_codes_user_idx').on('staff_recovery_codes').column('user_id').execute();
  await db.schema
    .createTable('staff_passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('staff_passkeys_user_idx').on('staff_passkeys').column('user_id').execute();
  await db.schema
    .createTable('security_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['security_settings', 'staff_passkeys', 'staff_recovery_codes', 'staff_totp', 'password_resets']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.dropIndex('sessions_user_idx').ifExists().execute();
  await db.schema.alterTable('sessions').dropColumn('user_agent').execute();
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
  await db.schema.dropTable('event_staff').ifExists().execute();
}
