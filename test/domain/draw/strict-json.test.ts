import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStrictJson, StrictJsonError } from '../../../src/domain/draw/index.ts';

const fieldOf = (text: string): string => {
  try {
    parseStrictJson(text);
  } catch (e) {
    assert.ok(e instanceof StrictJsonError, String(e));
    return e.field;
  }
  return 'accepted';
};

test('reads ordinary JSON like JSON.parse', () => {
  for (const text of ['{"a":[1,-2,0,true,false,null,"x\\u00e9\\n"],"b":{}}', ' [ ] ', '"\\ud800"', '{"__proto__":1}', '9007199254740991']) {
    assert.deepEqual(parseStrictJson(text), JSON.parse(text), text);
  }
  assert.equal(Object.getPrototypeOf(parseStrictJson('{"__proto__":{"x":1}}')), Object.prototype, 'no prototype change');
});

test('refuses duplicate keys, non-integer numbers and broken documents, naming the field', () => {
  assert.equal(fieldOf('{"a":1,"a":2}'), 'a');
  assert.equal(fieldOf('{"p":{"seats":1,"seats":1}}'), 'p.seats');
  assert.equal(fieldOf('{"entries":[{"partySize":11.0000000000000001}]}'), 'entries[0].partySize');
  assert.equal(fieldOf('{"n":11.0}'), 'n');
  assert.equal(fieldOf('{"n":1e3}'), 'n');
  assert.equal(fieldOf('{"n":-0.0}'), 'n');
  assert.equal(fieldOf('{"n":9007199254740993}'), 'n');
  assert.equal(fieldOf('{"n":01}'), '(top level)');
  assert.equal(fieldOf('{"a":1'), '(top level)');
  assert.equal(fieldOf('{"a":1} x'), '(top level)');
  assert.equal(fieldOf(''), '(top level)');
  assert.equal(fieldOf('{"s":"\u0001"}'), 's');
  assert.match(fieldOf('['.repeat(100)), /^(\[0\])+$/, 'too deep');
});
