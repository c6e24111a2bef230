import { readFileSync } from 'node:fs';
import type { DkimConfig } from './mail/delivery.ts';

/** Outgoing mail and bounces (issue 13, ADR 0013): its own file so it reads as one piece. */
export interface MailConfig {
  /** Mails per second the sender hands over at most (0 = unthrottled). */
  ratePerSecond: number;
  /** Parallel SMTP sends per instance. */
  concurrency: number;
  /** Outbox rows claimed per step. */
  batchSize: number;
  /** How long a claimed row stays with its instance before another may take it. */
  leaseMs: number;
  dkim: DkimConfig | null;
  /** Envelope sender domain for VERP (bounces+<id>@domain); null = MAIL_FROM's address as envelope sender. */
  bounceDomain: string | null;
  /** Port of the built-in inbound SMTP listener for bounces; null = off. */
  bounceSmtpPort: number | null;
  bounceSmtpHost: string;
}

export const MAIL_DEFAULTS: MailConfig = {
  ratePerSecond: 500,
  concurrency: 16,
  batchSize: 100,
  leaseMs: 60_000,
  dkim: null,
  bounceDomain: null,
  bounceSmtpPort: null,
  bounceSmtpHost: '0.0.0.0',
};

function count(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function loadMailConfig(env: NodeJS.ProcessEnv): MailConfig {
  const domain = env.ADMIT_DKIM_DOMAIN || null;
  const keyFile = env.ADMIT_DKIM_KEY_FILE || null;
  if (!!domain !== !!keyFile) throw new Error('ADMIT_DKIM_DOMAIN and ADMIT_DKIM_KEY_FILE go together (see `admit mail dkim`)');
  const dkim = domain && keyFile ? { domainName: domain, keySelector: env.ADMIT_DKIM_SELECTOR || 'admit', privateKey: readFileSync(keyFile, 'utf8') } : null;
  const port = count(env, 'ADMIT_BOUNCE_SMTP_PORT', 0);
  return {
    ratePerSecond: count(env, 'ADMIT_MAIL_RATE', MAIL_DEFAULTS.ratePerSecond),
    concurrency: count(env, 'ADMIT_MAIL_CONCURRENCY', MAIL_DEFAULTS.concurrency, 1),
    batchSize: count(env, 'ADMIT_MAIL_BATCH', MAIL_DEFAULTS.batchSize, 1),
    leaseMs: count(env, 'ADMIT_MAIL_LEASE_MS', MAIL_DEFAULTS.leaseMs, 1000),
    dkim,
    bounceDomain: env.ADMIT_BOUNCE_DOMAIN || null,
    bounceSmtpPort: port || null,
    bounceSmtpHost: env.ADMIT_BOUNCE_SMTP_HOST || MAIL_DEFAULTS.bounceSmtpHost,
  };
}
