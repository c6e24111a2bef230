import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateApplication } from '../../src/domain/application.ts';
import { type Event, validateEvent } from '../../src/domain/event.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { applyEditorAction, editorAction, slugFromTitle, numberedSlug } from '../../src/http/event-form-input.ts';

const base = demoEventInput(new Date('2026-11-01T12:00:00.000Z'));
const event = {
  ...base,
  id: 'e1',
  confirmHours: 72,
  retentionDays: 30,
  venueMapUrl: null,
  revealAt: null,
  revealedAt: null,
  confirmUntil: null,
  inviteConfirmHours: null,
  mailSenderName: null,
  mailReplyTo: null,
  othersMayApply: true,
  questions: [
    { id: 'nights', type: 'multiple_choice', required: true, label: { en: 'Nights' }, options: [{ id: 'fri', label: { en: 'Fri' } }, { id: 'sat', label: { en: 'Sat' } }] },
    { id: 'n', type: 'number', required: false, label: { en: 'How many' } },
    { id: 'd', type: 'date', required: false, label: { en: 'When' } },
  ],
} as Event;
const person = { name: 'Ada', email: 'ada@example.com', country: 'DE', consent: 'yes' };
const answersOf = (answers: Record<string, string>) => validateApplication(event, { ...person, answers });

test('multiple choice: known option ids, stored in the question order, at least one when required', () => {
  assert.deepEqual(answersOf({ nights: 'sat,fri' }).value?.answers, { nights: 'fri,sat' });
  assert.deepEqual(answersOf({ nights: 'sat,sat' }).value?.answers, { nights: 'sat' });
  assert.deepEqual(answersOf({ nights: 'sun' }).errors, [{ field: 'answers.nights', code: 'invalid_choice' }]);
  assert.deepEqual(answersOf({ nights: ',' }).errors, [{ field: 'answers.nights', code: 'required' }]);
  assert.deepEqual(answersOf({}).errors, [{ field: 'answers.nights', code: 'required' }]);
});

test('numbers: plain decimals, a German comma accepted; dates: real calendar days', () => {
  assert.deepEqual(answersOf({ nights: 'fri', n: '2,5', d: '2028-02-29' }).value?.answers, { nights: 'fri', n: '2.5', d: '2028-02-29' });
  assert.deepEqual(answersOf({ nights: 'fri', n: '1e9' }).errors, [{ field: 'answers.n', code: 'invalid_number' }]);
  assert.deepEqual(answersOf({ nights: 'fri', d: '2027-02-29' }).errors, [{ field: 'answers.d', code: 'invalid_date' }]);
  assert.deepEqual(answersOf({ nights: 'fri', d: '29.02.2028' }).errors, [{ field: 'answers.d', code: 'invalid_date' }]);
});

test('an event: multiple choice needs two options; deadlines and sender are checked', () => {
  const bad = validateEvent({
    ...base,
    questions: [{ id: 'x', type: 'multiple_choice', required: false, label: { en: 'X' }, options: [{ id: 'a', label: { en: 'A' } }] }],
    confirmHours: 0,
    inviteConfirmHours: 5000,
    confirmUntil: 'soon',
    mailSenderName: 'Evil\r\nBcc: x@y',
    mailReplyTo: 'nope',
  });
  assert.deepEqual(bad.map((e) => `${e.field}:${e.code}`).sort(), [
    'confirmHours:out_of_range',
    'confirmUntil:invalid_datetime',
    'inviteConfirmHours:out_of_range',
    'mailReplyTo:invalid_email',
    'mailSenderName:invalid_sender_name',
    'questions.0.options:too_few_options',
  ]);
});

test('slugs from titles; editor actions move, remove and add question slots', () => {
  assert.equal(slugFromTitle('Sommerfest am Fluß — 2026!'), 'sommerfest-am-fluss-2026');
  assert.equal(slugFromTitle('!!!'), 'event');
  assert.equal(numberedSlug('a'.repeat(64), 12).length, 64);
  const v = { question_slots: '3', questions_0_label_en: 'A', questions_1_label_en: 'B', questions_1_type: 'date', questions_2_label_en: 'C', slug: 's' };
  assert.deepEqual(editorAction({ editor_action: 'up:1' }), { kind: 'up', slot: 1 });
  assert.deepEqual(editorAction({ editor_action: 'nonsense' }), { kind: 'save' });
  const up = applyEditorAction(v, { kind: 'up', slot: 1 });
  assert.deepEqual(up, { values: { slug: 's', question_slots: '3', questions_0_label_en: 'B', questions_0_type: 'date', questions_1_label_en: 'A', questions_2_label_en: 'C' }, focus: 'q-0' });
  assert.deepEqual(applyEditorAction(v, { kind: 'up', slot: 0 }).values, v, 'the first cannot move up');
  const removed = applyEditorAction(v, { kind: 'remove', slot: 0 });
  assert.deepEqual(removed.values, { slug: 's', question_slots: '2', questions_0_label_en: 'B', questions_0_type: 'date', questions_1_label_en: 'C' });
  const added = applyEditorAction(v, { kind: 'add' });
  assert.equal(added.values.question_slots, '4');
  assert.equal(added.focus, 'f-questions_3_label_en');
});
