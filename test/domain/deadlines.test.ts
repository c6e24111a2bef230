import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsReminder, offerDeadline } from '../../src/domain/deadlines.ts';

const now = new Date('2026-11-01T12:00:00.000Z');
const rules = { confirmHours: 72, confirmUntil: null, inviteConfirmHours: null };

test('the default window is confirmHours after the offer', () => {
  assert.equal(offerDeadline(rules, 'draw', now), '2026-11-04T12:00:00.000Z');
  assert.equal(offerDeadline({ ...rules, confirmHours: 12 }, 'waitlist', now), '2026-11-02T00:00:00.000Z');
});

test('a fixed date wins while it is ahead; an offer made after it gets the window in hours', () => {
  const fixed = { ...rules, confirmUntil: '2026-11-10T17:00:00.000Z' };
  assert.equal(offerDeadline(fixed, 'draw', now), '2026-11-10T17:00:00.000Z');
  assert.equal(offerDeadline(fixed, 'waitlist', new Date('2026-11-10T17:00:00.000Z')), '2026-11-13T17:00:00.000Z');
});

test('invites have their own window when set; an organizer override beats everything', () => {
  const r = { ...rules, confirmUntil: '2026-11-10T17:00:00.000Z', inviteConfirmHours: 240 };
  assert.equal(offerDeadline(r, 'invite', now), '2026-11-11T12:00:00.000Z');
  assert.equal(offerDeadline(r, 'draw', now), '2026-11-10T17:00:00.000Z');
  assert.equal(offerDeadline(r, 'invite', now, '2026-12-24T18:00:00.000Z'), '2026-12-24T18:00:00.000Z');
});

test('a reminder only when the window is longer than 36 hours', () => {
  assert.equal(needsReminder('2026-11-04T12:00:00.000Z', now), true);
  assert.equal(needsReminder('2026-11-03T00:00:00.000Z', now), false);
});
