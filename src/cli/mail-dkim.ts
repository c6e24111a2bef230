import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../platform/private-files.ts';
import type { CliCommand } from './commands.ts';

export interface DnsRecord {
  name: string;
  type: 'TXT';
  value: string;
}

/** The records to publish for a DKIM key (RFC 6376 §3.6.1), with SPF (RFC 7208) and DMARC (RFC 7489) to start from. */
export function dkimDnsRecords(o: { domain: string; selector: string; publicKeyPem: string; reportTo?: string }): { dkim: DnsRecord; spf: DnsRecord; dmarc: DnsRecord } {
  const p = o.publicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return {
    dkim: { name: `${o.selector}._domainkey.${o.domain}`, type: 'TXT', value: `v=DKIM1; k=rsa; p=${p}` },
    // SPF: the hosts allowed to send for the domain; "mx a" is a start — add the relay's include: if one is used.
    spf: { name: o.domain, type: 'TXT', value: 'v=spf1 mx a ~all' },
    // DMARC: start by monitoring (p=none) with aggregate reports, then move to quarantine/reject once aligned.
    dmarc: { name: `_dmarc.${o.domain}`, type: 'TXT', value: `v=DMARC1; p=none; rua=mailto:${o.reportTo ?? `dmarc@${o.domain}`}; adkim=s; aspf=r` },
  };
}

/** TXT values longer than 255 characters are given as several quoted strings (RFC 7208 §3.3). */
const quoted = (v: string) => (v.match(/.{1,255}/g) ?? ['']).map((s) => `"${s}"`).join(' ');

/** `admit mail dkim --domain example.org [--selector admit] [--out FILE]`: makes a key, prints what to publish. */
export const mailDkimCommand: CliCommand = {
  name: 'mail',
  usage: 'admit mail dkim --domain DOMAIN [--selector admit] [--out FILE] [--force]\n        Generates a DKIM key (RSA 2048, file mode 0600) and prints the DNS records: DKIM, SPF and DMARC.',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    const { values } = parseArgs({ args: rest, options: { domain: { type: 'string' }, selector: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } } });
    if (sub !== 'dkim' || !values.domain || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(values.domain)) {
      console.error('usage: admit mail dkim --domain DOMAIN [--selector admit] [--out FILE]');
      return 2;
    }
    const selector = values.selector ?? 'admit';
    if (!/^[a-z0-9-]+$/i.test(selector)) {
      console.error('the selector may hold letters, digits and hyphens only');
      return 2;
    }
    const dataDir = resolve(process.env.ADMIT_DATA_DIR || './data');
    const out = resolve(values.out ?? join(dataDir, `dkim-${selector}.pem`));
    if (existsSync(out) && !values.force) {
      console.error(`${out} exists; pass --force to replace it (and republish the DNS record)`);
      return 1;
    }
    if (!values.out) ensurePrivateDir(dataDir);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: PRIVATE_FILE_MODE });
    const r = dkimDnsRecords({ domain: values.domain, selector, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    console.log(`Private key written to ${out} (mode 0600). Configure:

  ADMIT_DKIM_DOMAIN=${values.domain}
  ADMIT_DKIM_SELECTOR=${selector}
  ADMIT_DKIM_KEY_FILE=${out}

Publish these DNS records:

  ${r.dkim.name}. IN TXT ${quoted(r.dkim.value)}

  SPF (merge with an existing v=spf1 record; add "include:<your relay>" if a relay sends for you):
  ${r.spf.name}. IN TXT ${quoted(r.spf.value)}

  DMARC (start with p=none and read the reports; move to p=quarantine once SPF and DKIM align):
  ${r.dmarc.name}. IN TXT ${quoted(r.dmarc.value)}

MAIL_FROM must use an address @${values.domain} for DKIM and DMARC to align.`);
    return 0;
  },
};
