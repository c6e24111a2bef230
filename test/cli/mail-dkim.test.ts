import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { mailDkimCommand } from '../../src/cli/mail-dkim.ts';

test('admit mail dkim: writes a 0600 RSA key, prints DKIM, SPF and DMARC records; refuses to overwrite without --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'admit-dkim-'));
  const out = join(dir, 'k.pem');
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    assert.equal(await mailDkimCommand.run(['dkim', '--domain', 'example.org', '--selector', 's1', '--out', out]), 0);
    assert.equal(await mailDkimCommand.run(['dkim', '--domain', 'example.org', '--selector', 's1', '--out', out]), 1);
    assert.equal(await mailDkimCommand.run(['dkim']), 2);
  } finally {
    console.log = log;
  }
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.equal(createPrivateKey(readFileSync(out, 'utf8')).asymmetricKeyDetails?.modulusLength, 2048);
  const text = lines.join('\n');
  assert.match(text, /s1\._domainkey\.example\.org\. IN TXT "v=DKIM1; k=rsa; p=/);
  assert.match(text, /example\.org\. IN TXT "v=spf1 /);
  assert.match(text, /_dmarc\.example\.org\. IN TXT "v=DMARC1; p=none/);
  rmSync(dir, { recursive: true, force: true });
});
