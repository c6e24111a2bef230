import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeZoneOptions, utcToWallTime, wallTimeToUtc } from '../../src/domain/wall-time.ts';

test('wall time in the event zone ↔ UTC, both ways', () => {
  assert.equal(wallTimeToUtc('2026-12-12T19:00', 'America/New_York'), '2026-12-13T00:00:00.000Z');
  assert.equal(utcToWallTime('2026-12-13T00:00:00.000Z', 'America/New_York'), '2026-12-12T19:00');
  assert.equal(wallTimeToUtc('2026-07-01T00:00', 'Europe/Berlin'), '2026-06-30T22:00:00.000Z');
  assert.equal(wallTimeToUtc('2026-06-15T12:00', 'Asia/Kolkata'), '2026-06-15T06:30:00.000Z');
  assert.equal(wallTimeToUtc('2026-06-15T12:00', 'UTC'), '2026-06-15T12:00:00.000Z');
  for (const iso of ['2026-03-08T06:59:00.000Z', '2026-03-08T07:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']) {
    const local = utcToWallTime(iso, 'America/New_York');
    assert.equal(utcToWallTime(wallTimeToUtc(local, 'America/New_York')!, 'America/New_York'), local, iso);
  }
});

test('daylight saving edges: a skipped time moves forward, a repeated time is the earlier one', () => {
  // New York, 8 March 2026: 02:00 → 03:00. 02:30 does not exist and becomes 03:30 EDT.
  assert.equal(wallTimeToUtc('2026-03-08T02:30', 'America/New_York'), '2026-03-08T07:30:00.000Z');
  // 1 November 2026: 01:30 happens twice; the first (EDT, UTC-4) is taken.
  assert.equal(wallTimeToUtc('2026-11-01T01:30', 'America/New_York'), '2026-11-01T05:30:00.000Z');
  // Lord Howe shifts by half an hour.
  assert.equal(wallTimeToUtc('2026-10-04T02:15', 'Australia/Lord_Howe'), '2026-10-03T15:45:00.000Z');
});

test('rejects what is not a calendar time or a zone', () => {
  for (const bad of ['', '2026-02-30T10:00', '2026-13-01T10:00', '2026-01-01T24:00', '2026-01-01 10:00', '12/12/2026 19:00']) {
    assert.equal(wallTimeToUtc(bad, 'UTC'), null, bad);
  }
  assert.equal(wallTimeToUtc('2026-01-01T10:00', 'Mars/Olympus_Mons'), null);
  assert.ok(timeZoneOptions().includes('UTC'));
  assert.ok(timeZoneOptions().includes('America/New_York'));
});
