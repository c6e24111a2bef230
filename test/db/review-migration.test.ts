import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as m011 from '../../src/db/migrations/011-review.ts';
import { listApplications } from '../../src/db/repositories/applications.ts';
import { forEachDialect } from '../helpers/context.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';

forEachDialect('migration 011-review', (ctx) => {
  test('fills the folded search and sort columns of applications that existed before it; down and up again', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const [id] = await seedVerifiedApplications(c, event.id, 2, 'mig');
    await c.db.db
      .updateTable('applications')
      .set({ name: 'Jürgen MÜLLER', guests: JSON.stringify([{ name: 'Zoë Ørsted', relation: 'friend' }]) })
      .where('id', '=', id)
      .execute();
    await m011.down(c.db.db);
    await m011.up(c.db.db);
    const row = await c.db.db.selectFrom('applications').select(['search_text', 'sort_name', 'review_score', 'review_count']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { search_text: 'jurgen muller\nzoe orsted\nmig0@example.com', sort_name: 'jurgen muller', review_score: 0, review_count: 0 });
    const found = await listApplications(c.db.db, { eventId: event.id, q: 'orsted', limit: 5 });
    assert.deepEqual(found.map((a) => a.id), [id]);
  });
});
