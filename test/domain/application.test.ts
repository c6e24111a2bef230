import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateApplication } from '../../src/domain/application.ts';
import { EVENT_DEFAULTS, intakeState, validateEvent, type Event } from '../../src/domain/event.ts';
import { demoEventInput } from '../../src/services/demo.ts';
import { normalizeEmail } from '../../src/domain/email.ts';
import { negotiateLocale, textDirection } from '../../src/domain/locales.ts';

const event: Event = { ...EVENT_DEFAULTS, ...demoEventInput(new Date('2026-11-01T00:00:00Z')), id: 'e1' };
const valid = { name: 'Ada', email: 'ada@example.com', country: 'US', locale: 'de', consent: true, answers: { why: 'Because' }, guests: [] };
const codes = (input: object) => validateApplication(event, input).errors.map((e) => `${e.field}:${e.code}`);

test('a complete application is valid and keeps its values', () => {
  const r = validateApplication(event, { ...valid, guests: [{ name: 'Bob', relation: 'friend' }] });
  assert.deepEqual(r.errors, []);
  assert.equal(r.value?.guests.length, 1);
  assert.equal(r.value?.locale, 'de');
});

test('every missing required field is reported with its own code', () => {
  assert.deepEqual(codes({}), ['name:required', 'email:required', 'country:required', 'answers.why:required', 'consent:consent_required']);
});

test('party rules: at most maxPartySize-1 guests; blank rows ignored; a guest needs name and relation', () => {
  const four = Array.from({ length: 4 }, (_, i) => ({ name: `G${i}`, relation: 'family' }));
  assert.deepEqual(codes({ ...valid, guests: four }), ['guests:too_many_guests']);
  assert.deepEqual(codes({ ...valid, guests: [{ name: '', relation: '' }, { name: 'X', relation: 'enemy' }] }), ['guests.1.relation:invalid_choice']);
  assert.deepEqual(codes({ ...valid, guests: [{ name: '', relation: 'friend' }] }), ['guests.0.name:required']);
  assert.equal(validateApplication(event, { ...valid, guests: [{ name: '', relation: '' }] }).value?.guests.length, 0);
});

test('country must be ISO 3166-1 alpha-2 and eligible', () => {
  assert.deepEqual(codes({ ...valid, country: 'XX' }), ['country:invalid_country']);
  const usOnly = { ...event, othersMayApply: false };
  assert.deepEqual(validateApplication(usOnly, { ...valid, country: 'DE' }).errors.map((e) => e.code), ['country_not_eligible']);
  assert.deepEqual(validateApplication(usOnly, { ...valid, country: 'us' }).errors, []);
});

test('answers are checked against the question type', () => {
  assert.deepEqual(codes({ ...valid, answers: { why: 'x', fan: 'maybe' } }), ['answers.fan:invalid_choice']);
  assert.deepEqual(codes({ ...valid, answers: { why: 'x'.repeat(4001) } }), ['answers.why:too_long']);
});

test('intake window follows status and the server clock', () => {
  const e = { status: 'open' as const, applicationsOpenAt: '2026-11-01T00:00:00.000Z', applicationsCloseAt: '2026-11-10T00:00:00.000Z' };
  assert.equal(intakeState(e, new Date('2026-10-31T23:59:59Z')), 'not_open');
  assert.equal(intakeState(e, new Date('2026-11-05T00:00:00Z')), 'open');
  assert.equal(intakeState(e, new Date('2026-11-10T00:00:00Z')), 'closed');
  assert.equal(intakeState({ ...e, status: 'draft' }, new Date('2026-11-05T00:00:00Z')), 'not_open');
  assert.equal(intakeState({ ...e, status: 'closed' }, new Date('2026-11-05T00:00:00Z')), 'closed');
});

test('event validation rejects bad slugs, time zones and windows', () => {
  const base = demoEventInput(new Date('2026-11-01T00:00:00Z'));
  assert.deepEqual(validateEvent(base), []);
  const errs = validateEvent({ ...base, slug: 'Bad Slug', timezone: 'Mars/Base', applicationsCloseAt: base.applicationsOpenAt, maxPartySize: 0 });
  assert.deepEqual(errs.map((e) => e.field).sort(), ['applicationsCloseAt', 'maxPartySize', 'slug', 'timezone']);
});

test('emails are normalised for identity: case, and dots/+tags where the provider ignores them', () => {
  assert.equal(normalizeEmail(' Ada.Lovelace+event@GMail.com '), 'adalovelace@gmail.com');
  assert.equal(normalizeEmail('ada.lovelace+x@example.org'), 'ada.lovelace+x@example.org');
  assert.equal(normalizeEmail('a.b+c@googlemail.com'), 'ab@gmail.com');
});

test('Accept-Language negotiation and text direction', () => {
  assert.equal(negotiateLocale('sv-SE,de-DE;q=0.8,en;q=0.5'), 'de');
  assert.equal(negotiateLocale('fr-CA'), 'fr');
  assert.equal(negotiateLocale('sv'), null);
  assert.equal(textDirection('ar'), 'rtl');
  assert.equal(textDirection('de'), 'ltr');
});
