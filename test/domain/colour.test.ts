import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accentContrast, checkAccentColour, contrastRatio, parseHexColour } from '../../src/domain/colour.ts';

test('contrast ratios follow WCAG 2.2 (black on white is 21:1, white on white 1:1)', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
  // a known pair: #767676 on white is the lightest grey that passes AA (4.54:1)
  assert.ok(Math.abs(contrastRatio('#767676', '#ffffff') - 4.54) < 0.01);
});

test('hex colours are parsed and normalised; anything else is refused', () => {
  assert.equal(parseHexColour('#ABC'), '#aabbcc');
  assert.equal(parseHexColour(' 3b2dbf '), '#3b2dbf');
  assert.equal(parseHexColour('red'), null);
  assert.equal(parseHexColour('#12345'), null);
  assert.equal(parseHexColour('url(x)'), null);
});

test('a readable accent is kept; a light one is darkened (same hue) until it reaches 4.5:1 everywhere', () => {
  const ok = checkAccentColour('#3b2dbf');
  assert.equal(ok.adjusted, false);
  assert.equal(ok.colour, '#3b2dbf');
  const yellow = checkAccentColour('#ffcc00');
  assert.equal(yellow.adjusted, true);
  assert.ok(yellow.requestedRatio < 4.5);
  assert.ok(yellow.ratio >= 4.5 && accentContrast(yellow.colour) >= 4.5, yellow.colour);
  // still a yellow-brown, not grey: red channel above blue
  const [r, , b] = [1, 3, 5].map((i) => parseInt(yellow.colour.slice(i, i + 2), 16));
  assert.ok(r > b, yellow.colour);
  assert.ok(checkAccentColour('#ffffff').ratio >= 4.5, 'even white ends at a readable grey');
});
