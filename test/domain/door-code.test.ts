import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doorCodeFromBytes, formatDoorCode, parseDoorCode } from '../../src/domain/door-code.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

test('a door code is 10 Crockford symbols whose last one is the mod-37 check of the other nine', () => {
  // Nine data symbols "000000001" = 1 → check symbol value 1; "0000000Z0" = 31·32 = 992 = 26·37 + 30 → "Y".
  assert.deepEqual(parseDoorCode('000000001-1'), { ok: true, code: '0000000011' });
  assert.deepEqual(parseDoorCode('0000000Z0Y'), { ok: true, code: '0000000Z0Y' });
  // 36 = the check symbol "U"; 37 = "0" again.
  assert.deepEqual(parseDoorCode('000000014U'), { ok: true, code: '000000014U' });
  assert.deepEqual(parseDoorCode('000000015-0'), { ok: true, code: '0000000150' });
});

test('codes issued from random bytes parse back to themselves, typed in lowercase, with or without hyphens', () => {
  let issued = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: 6 }, (_, j) => (i * 7919 + j * 104729 + i * j * 31) & 255);
    const code = doorCodeFromBytes(bytes);
    if (!code) continue;
    issued++;
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{10}$/, 'letters and digits only: never one of the extra check symbols');
    assert.deepEqual(parseDoorCode(code), { ok: true, code });
    assert.deepEqual(parseDoorCode(formatDoorCode(code).toLowerCase()), { ok: true, code });
    assert.deepEqual(parseDoorCode(` ${code.slice(0, 3)} ${code.slice(3)} `), { ok: true, code });
  }
  assert.ok(issued > 1500, `most byte strings give a code (${issued})`);
});

test('I and L read as 1, O as 0 (Crockford)', () => {
  assert.deepEqual(parseDoorCode('oooooooo1-l'), { ok: true, code: '0000000011' });
  assert.deepEqual(parseDoorCode('OOOOOOOOI1'), { ok: true, code: '0000000011' });
});

test('every single wrong symbol and every swap of two different neighbours is refused as bad_check', () => {
  const code = doorCodeFromBytes(Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]))!;
  assert.ok(code);
  for (let i = 0; i < 9; i++) {
    for (const c of ALPHABET) {
      if (c === code[i]) continue;
      const typo = code.slice(0, i) + c + code.slice(i + 1);
      assert.deepEqual(parseDoorCode(typo), { ok: false, reason: 'bad_check' }, typo);
    }
    if (code[i] !== code[i + 1] && i < 8) {
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      assert.deepEqual(parseDoorCode(swapped), { ok: false, reason: 'bad_check' }, swapped);
    }
  }
});

test('anything else is not a door code (the long QR token goes its own way)', () => {
  for (const s of ['', 'ABCDE', 'ABCDE-FGHJKM', 'A!CDEFGHJK', 'U000000001', 'dGhpcyBpcyBhIGxvbmcgdG9rZW4gb2YgNDMgY2hhcnM']) {
    assert.deepEqual(parseDoorCode(s), { ok: false, reason: 'not_a_door_code' }, s);
  }
});
