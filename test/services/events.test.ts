import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { AppError } from '../../src/errors.ts';
import { changeEventStatus, updateEvent } from '../../src/services/events.ts';
import { findEventById } from '../../src/db/repositories/events.ts';

const fieldsOf = (err: unknown) => (err instanceof AppError ? err.fields.map((f) => `${f.field}:${f.code}`) : []);

forEachDialect('services events', (ctx) => {
  test('single-choice options need unique plain ids and a label in the main language', async () => {
    const c = ctx();
    const options = [
      { id: 'a', label: { en: 'A' } },
      { id: 'a', label: { en: 'Also A' } },
    ];
    await assert.rejects(
      c.makeEvent({ questions: [{ id: 'pick', type: 'single_choice', required: true, label: { en: 'Pick' }, options }] }),
      (err) => fieldsOf(err).includes('questions.0.options:invalid_options'),
    );
    await assert.rejects(
      c.makeEvent({ questions: [{ id: 'pick', type: 'single_choice', required: true, label: { en: 'Pick' }, options: [{ id: 'a', label: { en: 'A' } }, { id: 'B!', label: { de: 'B' } }] }] }),
      (err) => fieldsOf(err).includes('questions.0.options:invalid_options'),
    );
  });

  test('editing keeps what the editor does not show (selection settings, reveal); status changes follow draft → open → closed', async () => {
    const c = ctx();
    const event = await c.makeEvent({ status: 'draft', confirmHours: 24, retentionDays: 10 });
    const { id, confirmHours: _c, retentionDays: _r, venueMapUrl: _v, revealAt: _ra, revealedAt: _rd, ...input } = event;
    const updated = await updateEvent(c.deps, 'owner', id, { ...input, capacity: 50 });
    assert.equal(updated.capacity, 50);
    const stored = (await findEventById(c.db.db, id))!;
    assert.equal(stored.confirmHours, 24);
    assert.equal(stored.retentionDays, 10);
    await assert.rejects(changeEventStatus(c.deps, 'owner', id, 'closed'), (err) => fieldsOf(err).includes('status:invalid_transition'));
    assert.equal((await changeEventStatus(c.deps, 'owner', id, 'open')).status, 'open');
    assert.equal((await changeEventStatus(c.deps, 'owner', id, 'closed')).status, 'closed');
    const actions = await c.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', id).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action), ['event.created', 'event.updated', 'event.opened', 'event.closed']);
  });
});
