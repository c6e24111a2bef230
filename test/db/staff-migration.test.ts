import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as m010 from '../../src/db/migrations/010-staff-security.ts';
import { createTestDatabase, dialects } from '../helpers/db.ts';

/** Upgrading keeps today's access: existing reviewer/door accounts join the team of every existing event. */
for (const dialect of dialects()) {
  test(`migration 010: existing reviewers and door staff join every existing event's team [${dialect}]`, async () => {
    const database = await createTestDatabase(dialect);
    const db = database.db;
    try {
      await m010.down(db);
      const at = '2026-11-01T00:00:00.000Z';
      const user = (id: string, role: 'owner' | 'admin' | 'reviewer' | 'door') => ({ id, email: `${id}@admit.test`, name: '', password_hash: null, role, created_at: at, disabled: 0 });
      await db.insertInto('users').values([user('o', 'owner'), user('a', 'admin'), user('r', 'reviewer'), user('d', 'door')]).execute();
      const event = (id: string) => ({
        id, slug: id, status: 'open' as const, timezone: 'UTC', starts_at: null, ends_at: null, venue_name: null, venue_address: null,
        applications_open_at: null, applications_close_at: null, capacity: 10, max_party_size: 2, preferred_countries: '[]', others_may_apply: 1,
        questions: '[]', content: '{}', default_locale: 'en', created_at: at, updated_at: at, venue_map_url: null, reveal_at: null, revealed_at: null,
      });
      await db.insertInto('events').values([event('e1'), event('e2')]).execute();
      await m010.up(db);
      const rows = await db.selectFrom('event_staff').select(['event_id', 'user_id']).orderBy('user_id').orderBy('event_id').execute();
      assert.deepEqual(rows, [
        { event_id: 'e1', user_id: 'd' },
        { event_id: 'e2', user_id: 'd' },
        { event_id: 'e1', user_id: 'r' },
        { event_id: 'e2', user_id: 'r' },
      ]);
    } finally {
      await database.destroy();
    }
  });
}
