import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChallenge, solveChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { altchaCaptcha } from '../../src/http/captcha.ts';

// Issue 12: the challenge is computed with node:crypto instead of altcha-lib's WebCrypto path. It must stay a
// challenge altcha-lib (and so the widget) solves and verifies, with the same shape as altcha-lib's own.
const secret = 'captcha-fast-secret-0123456789abcdef';
const spent = { spend: async () => true, close: async () => {} };

test('our challenges have altcha-lib’s shape and solve and verify with altcha-lib', async () => {
  const captcha = altchaCaptcha({ secret, cost: 200, spent });
  const ours = await captcha.challenge();
  const theirs = await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: 150,
    deriveKey,
    hmacSignatureSecret: `altcha:${secret}`,
    hmacKeySignatureSecret: `altcha-key:${secret}`,
    expiresAt: new Date(Date.now() + 600_000),
  });
  assert.deepEqual(Object.keys(ours.parameters), Object.keys(theirs.parameters));
  assert.deepEqual(Object.keys(ours), Object.keys(theirs));
  for (let i = 0; i < 3; i++) {
    const challenge = await captcha.challenge();
    const solution = await solveChallenge({ challenge, deriveKey });
    assert.ok(solution);
    const checked = await verifySolution({
      challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: `altcha:${secret}`,
      hmacKeySignatureSecret: `altcha-key:${secret}`,
    });
    assert.equal(checked.verified, true);
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    assert.equal(await captcha.verify(payload), true);
  }
});

test('a challenge signed under another secret, or tampered with, does not verify', async () => {
  const captcha = altchaCaptcha({ secret, cost: 100, spent });
  const other = altchaCaptcha({ secret: `${secret}-other`, cost: 100, spent });
  const challenge = await other.challenge();
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.equal(await captcha.verify(Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')), false);
  const mine = await captcha.challenge();
  const solved = await solveChallenge({ challenge: mine, deriveKey });
  const tampered = { ...mine, parameters: { ...mine.parameters, expiresAt: mine.parameters.expiresAt! + 3600 } };
  assert.equal(await captcha.verify(Buffer.from(JSON.stringify({ challenge: tampered, solution: solved })).toString('base64')), false);
});
