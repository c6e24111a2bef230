import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { ensurePrivateDir, tightenIfPresent } from './platform/private-files.ts';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadSecurityConfig, type SecurityConfig } from './config-security.ts';
import { loadMailConfig, type MailConfig } from './config-mail.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  publicUrl: string;
  captcha: boolean;
  captchaCost: number;
  /** Server secret for HMACs (cookies, captcha, pseudonymous entry ids). */
  secret: string;
  redisUrl: string | null;
  /**
   * drand HTTP relays the draw job reads rounds from (ADMIT_DRAND_URLS, comma-separated; empty = offline: rounds
   * are pasted on the selection page). Unset in hand-made configs = offline.
   */
  drandRelays?: string[];
  /** Unverified applications are purged after this many hours. */
  unverifiedTtlHours: number;
  seedDemo: boolean;
  logLevel: string;
  /** Run background workers (outbox, scheduler) in this process. */
  workers: boolean;
  /** Send mail from a worker thread (default) rather than on the event loop. */
  mailThread?: boolean;
  /**
   * Whose X-Forwarded-For to believe (Fastify trustProxy): true, false, or addresses/CIDRs/"loopback".
   * Per-IP rate limits are only as good as this. Unset in hand-made configs = true.
   */
  trustProxy?: boolean | string;
  /** Group-commit intake (ADR 0004); unset = defaults for the dialect. */
  intake?: Partial<IntakeConfig>;
  /** Applications per client IP per minute and per email address per hour; 0 = no limit. */
  rateLimits?: { applyPerIpPerMinute: number; applyPerEmailPerHour: number };
  /** SIGTERM: how long to wait for requests in flight and the last batch before exiting anyway. */
  shutdownTimeoutMs?: number;
  /** security.txt contact, connection timeouts (config-security.ts); unset = SECURITY_DEFAULTS. */
  security?: Partial<SecurityConfig>;
  /** Sending rate, DKIM, VERP and the bounce listener (config-mail.ts); unset = MAIL_DEFAULTS. */
  mail?: Partial<MailConfig>;
}

export interface IntakeConfig {
  maxQueue: number;
  maxBatch: number;
  concurrency: number;
  maxWaitMs: number;
  /** SQLite: write batches on a thread of their own ('thread', default) or on the serving thread ('inline'). */
  writer: 'thread' | 'inline';
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], dflt: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!values.includes(raw as T)) throw new Error(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return dflt;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be on or off, got "${raw}"`);
}

function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '') return 'loopback';
  if (['1', 'true', 'on', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'off', 'no'].includes(raw.toLowerCase())) return false;
  return raw;
}

/** The server secret lives in the data dir unless ADMIT_SECRET is given, so restarts keep sessions valid. */
function loadSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  if (env.ADMIT_SECRET) {
    if (env.ADMIT_SECRET.length < 32) throw new Error('ADMIT_SECRET must be at least 32 characters');
    return env.ADMIT_SECRET;
  }
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    tightenIfPresent(file);
    return readFileSync(file, 'utf8').trim();
  }
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** Typed config from the environment, validated once at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 3000);
  const dataDir = resolve(env.ADMIT_DATA_DIR || './data');
  ensurePrivateDir(dataDir);
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// (leave it unset for embedded SQLite)');
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir,
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.MAIL_FROM || 'Admit <no-reply@admit.localhost>',
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    captcha: flag(env, 'ADMIT_CAPTCHA', true),
    captchaCost: int(env, 'ADMIT_CAPTCHA_COST', 50_000),
    secret: loadSecret(env, dataDir),
    redisUrl: env.REDIS_URL || null,
    drandRelays: (env.ADMIT_DRAND_URLS ?? 'https://api.drand.sh,https://drand.cloudflare.com')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    unverifiedTtlHours: int(env, 'ADMIT_UNVERIFIED_TTL_HOURS', 72),
    seedDemo: flag(env, 'ADMIT_SEED_DEMO', true),
    logLevel: env.LOG_LEVEL || 'info',
    workers: flag(env, 'ADMIT_WORKERS', true),
    mailThread: flag(env, 'ADMIT_MAIL_THREAD', true),
    trustProxy: trustProxy(env.ADMIT_TRUST_PROXY),
    intake: {
      maxQueue: int(env, 'ADMIT_INTAKE_QUEUE', 4000) || 1,
      maxBatch: int(env, 'ADMIT_INTAKE_BATCH', 256) || 1,
      ...(env.ADMIT_INTAKE_CONCURRENCY ? { concurrency: int(env, 'ADMIT_INTAKE_CONCURRENCY', 1) || 1 } : {}),
      maxWaitMs: int(env, 'ADMIT_INTAKE_WAIT_MS', 8000) || 8000,
      writer: oneOf(env, 'ADMIT_INTAKE_WRITER', ['thread', 'inline'] as const, 'thread'),
    },
    rateLimits: {
      applyPerIpPerMinute: int(env, 'ADMIT_RATE_IP_PER_MINUTE', 30),
      applyPerEmailPerHour: int(env, 'ADMIT_RATE_EMAIL_PER_HOUR', 5),
    },
    shutdownTimeoutMs: int(env, 'ADMIT_SHUTDOWN_TIMEOUT_MS', 15_000),
    security: loadSecurityConfig(env),
    mail: loadMailConfig(env),
  };
}
