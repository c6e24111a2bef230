import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createPublicKey, createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { mailTemplates, type MailTemplateName } from '../../src/mail/templates.ts';
import { outboxRow } from '../../src/mail/outbox.ts';
import { smtpTransport } from '../../src/mail/sender.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import type { OutboxRow } from '../../src/db/schema.ts';
import { dkimDnsRecords } from '../../src/cli/mail-dkim.ts';

/** Params that satisfy every registered template (each reads the fields it needs). */
const PARAMS = {
  name: 'Ada',
  eventTitle: 'Launch',
  url: 'https://x.test/a/tok',
  ticketsUrl: 'https://x.test/a/tok/tickets',
  deadline: 'Monday',
  seats: 2,
  source: 'draw',
  position: 3,
  holders: ['Ada', 'Charles'],
  doorCodes: [],
  details: { when: 'Saturday', where: 'Pier 17', mapUrl: null },
  update: false,
  minutes: 60,
  subject: 'Parking',
  body: 'Gate B',
  unsubscribeUrl: 'https://x.test/u/abc',
};

// Organizer messages and the automatic reminder and thank-you (RFC 8058); never the mails a person needs.
const UNSUBSCRIBABLE = new Set(['organizer.message', 'event.reminder', 'event.thanks']);

function row(name: MailTemplateName, i: number): OutboxRow {
  const kind = name === 'organizer.message' ? 'message' : name;
  return { ...outboxRow({ id: `01m6bfp5g04khjcs18hdnkj${String(i).padStart(3, '0')}`, kind, to: 'guest@example.com', now: '2026-12-01T00:00:00.000Z', template: { name, locale: 'en', params: PARAMS } as never }), message_id: null, application_id: null, bounced_at: null } as OutboxRow;
}

test('every built-in mail has Message-ID, Date, Auto-Submitted, a text and an HTML part; only optional mails offer one-click unsubscribe; DKIM signs', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkim = { domainName: 'admit.test', keySelector: 'admit', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const sink = await startSmtpSink();
  try {
    const transport = smtpTransport(sink.url, 'Admit <no-reply@admit.test>', { dkim, bounceDomain: 'admit.test' });
    const names = Object.keys(mailTemplates) as MailTemplateName[];
    for (const [i, name] of names.entries()) await transport.send(row(name, i));
    transport.close();
    assert.equal(sink.messages.length, names.length);
    for (const [i, name] of names.entries()) {
      const m = sink.messages.find((x) => x.messageId === `<${row(name, i).id}@admit.test>`);
      assert.ok(m, `${name}: sent with its stable Message-ID`);
      const parsed = await simpleParser(m.raw);
      assert.ok(parsed.date instanceof Date && !Number.isNaN(parsed.date.getTime()), `${name}: Date`);
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated', `${name}: Auto-Submitted`);
      assert.ok(parsed.text && parsed.text.trim().length > 0, `${name}: text part`);
      assert.ok(typeof parsed.html === 'string' && parsed.html.includes('<html'), `${name}: HTML part`);
      const raw = m.raw.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
      assert.equal(/^List-Unsubscribe:/m.test(raw), UNSUBSCRIBABLE.has(name), `${name}: List-Unsubscribe only on optional mail`);
      assert.equal(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m.test(raw), UNSUBSCRIBABLE.has(name));
      assert.match(raw, /^DKIM-Signature: .*d=admit\.test; .*s=admit;/m, `${name}: DKIM-signed`);
      assert.match(m.from, /^bounces\+[0-9a-z]+@admit\.test$/, `${name}: VERP envelope sender`);
    }
  } finally {
    await sink.close();
  }

  // The DNS record `admit mail dkim` prints carries exactly this public key.
  const records = dkimDnsRecords({ domain: 'admit.test', selector: 'admit', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const p = /p=([A-Za-z0-9+/=]+)/.exec(records.dkim.value)![1];
  const key = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
  assert.equal(createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex'), createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
  assert.equal(records.dkim.name, 'admit._domainkey.admit.test');
  assert.match(records.spf.value, /^v=spf1 /);
  assert.match(records.dmarc.value, /^v=DMARC1; p=/);
});
