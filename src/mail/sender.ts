import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../platform/private-files.ts';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { type ExpressionBuilder, PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { DB, OutboxRow } from '../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import type { Attachment } from './outbox.ts';
import { renderOutboxMail } from './templates.ts';
import { redactedMailColumns } from './capability-links.ts';
import { deliveryHeaders, type DeliveryOptions } from './delivery.ts';
import { MAIL_DEFAULTS, type MailConfig } from '../config-mail.ts';
import { isHardRecipientFailure, suppressAddress, suppressedRows } from './suppression.ts';

/** How one event's mails name their sender (migration 012); absent for mails of no event. */
export interface EventSender {
  name: string | null;
  replyTo: string | null;
}

export interface MailTransport {
  send(row: OutboxRow, sender?: EventSender): Promise<void>;
  close(): void;
}

/**
 * The message for one row. A template row (src/mail/templates.ts) is rendered here, at send time; a rendering
 * failure (say, a template unknown to this version) throws like a failed delivery and is retried with backoff.
 */
function message(row: OutboxRow, from: string, domain: string, sender?: EventSender, delivery: DeliveryOptions = {}) {
  const attachments = row.attachments ? (JSON.parse(row.attachments) as Attachment[]) : [];
  const mail = renderOutboxMail(row);
  // An event's own sender name goes with the instance's address (SPF/DKIM stay valid); nodemailer encodes the name.
  const address = from.match(/<([^>]+)>/)?.[1] ?? from.trim();
  return {
    ...deliveryHeaders(row, delivery),
    from: sender?.name ? { name: sender.name, address } : from,
    ...(sender?.replyTo ? { replyTo: sender.replyTo } : {}),
    to: row.to_address,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // A stable Message-ID per outbox row: a retry after an ambiguous failure is recognisable as the same mail.
    messageId: `<${row.id}@${domain}>`,
    // A reference nobody rendered (no resolver configured) is left out rather than sent empty.
    attachments: attachments.filter((a) => !a.ticketPdf).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') })),
  };
}

/**
 * SMTP_URL as a pooled transport: as many connections as the sender has workers (nodemailer's default of 5 left
 * workers of a larger sender waiting for a connection), each reused for any number of mails (nodemailer's default
 * of 100 opened a new connection — TCP, greeting, EHLO — every 100 mails). Whatever the URL itself says wins.
 */
export function pooledSmtpUrl(url: string, maxConnections: number): string {
  const has = (name: string) => new RegExp(`[?&]${name}=`).test(url);
  const add = [has('pool') ? '' : 'pool=true', has('maxConnections') ? '' : `maxConnections=${maxConnections}`, has('maxMessages') ? '' : 'maxMessages=Infinity'].filter(Boolean);
  return add.length ? `${url}${url.includes('?') ? '&' : '?'}${add.join('&')}` : url;
}

export function smtpTransport(url: string, from: string, delivery: DeliveryOptions = {}, maxConnections = MAIL_DEFAULTS.concurrency): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(pooledSmtpUrl(url, maxConnections));
  // The message is composed (and DKIM-signed) into one buffer first, then handed to the pool as it is: streamed
  // straight into the socket, nodemailer's MIME tree writes a few dozen small chunks — a syscall each — per mail.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const domain = from.match(/@([^>\s]+)/)?.[1] ?? 'admit.localhost';
  return {
    async send(row, sender) {
      const composed = await composer.sendMail(message(row, from, domain, sender, delivery));
      await transporter.sendMail({ envelope: composed.envelope, raw: composed.message as Buffer });
    },
    close: () => transporter.close(),
  };
}

/** SMTP_URL unset: each mail is written as an .eml file into <data>/mail; organizers read them in the app. */
export function fileTransport(dir: string, from: string, delivery: DeliveryOptions = {}): MailTransport {
  ensurePrivateDir(dir);
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const domain = from.match(/@([^>\s]+)/)?.[1] ?? 'admit.localhost';
  return {
    async send(row, sender) {
      const info = await transporter.sendMail(message(row, from, domain, sender, delivery));
      // Written aside and renamed: whoever reads the folder as an inbox never sees half a mail. 0600 (finding 5).
      const file = join(dir, `${row.id}.eml`); // = mailFile(dataDir, id), see files.ts
      await writeFile(`${file}.tmp`, info.message as Buffer, { mode: PRIVATE_FILE_MODE });
      await rename(`${file}.tmp`, file);
    },
    close: () => {},
  };
}

export interface SenderOptions {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  /** Identifies this process in leases. */
  instanceId: string;
  batchSize?: number;
  concurrency?: number;
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Mails per second (0 = as fast as concurrency allows): a throttle for mass mail (ADMIT_MAIL_RATE). */
  ratePerSecond?: number;
  /** Completes a claimed row before it is sent, e.g. renders PDF tickets stored by reference (services/ticket-pdf.ts). */
  prepare?: (row: OutboxRow) => Promise<OutboxRow>;
  onError?: (err: unknown, row?: OutboxRow) => void;
}

/** The sender's knobs from the mail config (config-mail.ts); absent ones keep the sender's defaults. */
export function senderTuning(mail: Partial<MailConfig> | undefined): Pick<SenderOptions, 'ratePerSecond' | 'concurrency' | 'batchSize' | 'leaseMs'> {
  const m = { ...MAIL_DEFAULTS, ...mail };
  return { ratePerSecond: m.ratePerSecond, concurrency: m.concurrency, batchSize: m.batchSize, leaseMs: m.leaseMs };
}

/** A group of rows marked sent is committed after this long at the latest, or at this size (see #markSentSoon). */
const MARK_WINDOW_MS = 20;
const MARK_GROUP_MAX = 500;

/** Backoff after the n-th failed attempt: 5 s, 10 s, 20 s … capped at one hour. */
export const backoffMs = (attempts: number): number => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/** What the runtime needs of a mail sender: in-process (OutboxSender) or on a thread (SenderThread). */
export interface MailSender {
  start(): void;
  /** Something was just committed to the outbox: send soon rather than at the next poll. */
  kick(): void;
  /** Claims and sends due rows until none are left. Returns the number sent. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Sends outbox rows after commit. Rows are claimed with a lease (conditional UPDATE that only one
 * instance can win), so several app instances on one database never send a row twice at once.
 */
export class OutboxSender implements MailSender {
  #opts: Required<Omit<SenderOptions, 'onError' | 'prepare'>> & Pick<SenderOptions, 'onError' | 'prepare'>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = true;
  /** stop() was called: a drain in progress ends after the rows it claimed (graceful shutdown). */
  #stopRequested = false;

  constructor(opts: SenderOptions) {
    this.#opts = { batchSize: 50, concurrency: 4, pollMs: 2_000, leaseMs: 60_000, maxAttempts: 12, ratePerSecond: 0, ...opts };
  }

  start(): void {
    this.#stopped = false;
    this.#stopRequested = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopRequested = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    this.#opts.transport.close();
  }

  /** Something was just committed to the outbox: send soon rather than at the next poll. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.drain()
        .then(() => undefined)
        .catch((err) => this.#opts.onError?.(err))
        .finally(() => {
          this.#running = null;
          const again = this.#again;
          this.#again = false;
          this.#schedule(again ? 0 : this.#opts.pollMs);
        });
    }, ms);
    this.#timer.unref?.();
  }

  /**
   * Claims and sends due rows until none are left. Returns the number sent.
   *
   * `concurrency` workers take rows from one queue that is claimed ahead (the next batch while the last rows of
   * this one are still out), so the pool stays full instead of draining to one connection at the end of every batch.
   */
  async drain(): Promise<number> {
    let sent = 0;
    const queue: { row: OutboxRow; sender?: EventSender }[] = [];
    let exhausted = false;
    let refilling: Promise<void> | null = null;
    /** Rows this drain holds (queued or being sent): a claim ahead must not take one back whose lease ran out. */
    const held = new Set<string>();
    const refill = async () => {
      const claimed = await this.claim([...held]);
      if (!claimed.length) exhausted = true;
      // Suppressed addresses (bounced; unsubscribed from optional mail) are recorded, never sent (ADR 0013).
      const blocked = await suppressedRows(this.#opts.db, claimed);
      if (blocked.size) await this.#markSuppressed(claimed.filter((r) => blocked.has(r.id)));
      const rows = claimed.filter((r) => !blocked.has(r.id));
      const senders = await this.#eventSenders(rows);
      for (const row of rows) held.add(row.id);
      for (const row of rows) queue.push({ row, sender: row.event_id ? senders.get(row.event_id) : undefined });
    };
    /** The next row to send, claiming more when the queue runs low; null when nothing is due (or stop() was called). */
    const next = async (): Promise<{ row: OutboxRow; sender?: EventSender } | null> => {
      for (;;) {
        if (queue.length <= this.#opts.concurrency && !exhausted && !this.#stopRequested && !refilling) {
          refilling = refill().finally(() => {
            refilling = null;
          });
        }
        const item = queue.shift();
        if (item) return item;
        if (!refilling) return null;
        await refilling;
      }
    };
    const worker = async () => {
      for (let item = await next(); item; item = await next()) {
        // Its lease ran out while it waited in the queue (a slow batch): another instance may have it by now, and
        // the next claim of this one takes it again. Never send a row we no longer hold.
        if (item.row.locked_until! <= this.#opts.clock.now().toISOString()) {
          held.delete(item.row.id);
          continue;
        }
        this.#sending++;
        let ok = false;
        try {
          await this.#throttle();
          ok = await this.#sendOne(item.row, item.sender);
        } finally {
          this.#sending--;
        }
        if (ok) {
          // Marked as soon as the server took it (group commit of whatever finished meanwhile), and this worker
          // sends nothing else before: a crash re-sends at most the mails between an SMTP 250 and the next commit.
          await this.#markSentSoon(item.row);
          sent++;
        } else this.#commitGroupWhenDue();
        held.delete(item.row.id);
      }
      this.#commitGroupWhenDue();
    };
    // A worker that fails (say, the database went away while marking) fails the drain once the others stopped.
    const results = await Promise.allSettled(Array.from({ length: this.#opts.concurrency }, worker));
    await (refilling as Promise<void> | null)?.catch(() => {});
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return sent;
  }

  /**
   * Marking sent is a group commit: ONE UPDATE for every row that finished meanwhile instead of one commit (one
   * fsync on SQLite, one round trip on PostgreSQL) per mail. A group is committed once no worker is sending any
   * more (all wait for it), or it has MARK_GROUP_MAX rows, or MARK_WINDOW_MS after its first row — whichever comes
   * first. A worker waits for its row's commit before it sends another mail, so should the process die, only
   * mails between their SMTP 250 and that commit go out again after their lease: with the same Message-ID
   * (<outbox id@domain>), so receiving servers and clients can tell the copies apart.
   *
   * The same UPDATE erases the capability links (ADR 0007): once a mail is handed over, the outbox keeps it
   * without the tokens that act for its recipient — one CASE per changed column, still one statement.
   */
  #sending = 0;
  #group: { rows: OutboxRow[]; since: number; done: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  #committing: Promise<void> | null = null;
  #groupTimer: NodeJS.Timeout | null = null;

  /** Waits until `row` is marked sent; rows finished while a commit runs go together in the next one. */
  async #markSentSoon(row: OutboxRow): Promise<void> {
    if (!this.#group) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#group = { rows: [], since: performance.now(), done, resolve, reject };
    }
    const group = this.#group;
    group.rows.push(row);
    this.#commitGroupWhenDue();
    await group.done;
  }

  /** Commits the collected group now if it is due, else makes sure a timer will. */
  #commitGroupWhenDue(): void {
    const group = this.#group;
    if (!group || this.#committing) return; // the running commit looks again when it is done
    const waited = performance.now() - group.since;
    if (this.#sending > 0 && group.rows.length < MARK_GROUP_MAX && waited < MARK_WINDOW_MS) {
      this.#groupTimer ??= setTimeout(() => {
        this.#groupTimer = null;
        this.#commitGroupWhenDue();
      }, MARK_WINDOW_MS - waited);
      return;
    }
    if (this.#groupTimer) clearTimeout(this.#groupTimer);
    this.#groupTimer = null;
    this.#group = null;
    this.#committing = this.#markSent(group.rows)
      .then(group.resolve, group.reject)
      .finally(() => {
        this.#committing = null;
        this.#commitGroupWhenDue();
      });
  }

  /** Mails per second over all workers of this sender (0 = unthrottled): the next send waits for its slot. */
  #nextSlot = 0;
  async #throttle(): Promise<void> {
    const rate = this.#opts.ratePerSecond;
    if (!rate) return;
    const now = performance.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / rate;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  async #markSuppressed(rows: OutboxRow[]): Promise<void> {
    const { db, instanceId } = this.#opts;
    for (const row of rows) {
      await db
        .updateTable('outbox')
        .set({ status: 'suppressed', locked_until: null, last_error: null, ...redactedMailColumns(row) })
        .where('id', '=', row.id)
        .where('locked_by', '=', instanceId)
        .execute();
    }
  }

  async #markSent(rows: OutboxRow[]): Promise<void> {
    const { db, clock, instanceId } = this.#opts;
    const nowIso = clock.now().toISOString();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const erase = chunk.map((r) => ({ id: r.id, ...redactedMailColumns(r), before: r }));
      const column = (name: 'params' | 'text_body' | 'html_body') => {
        const changed = erase.filter((e) => e[name] !== e.before[name]);
        if (!changed.length) return {};
        return { [name]: sql<string>`case id ${sql.join(changed.map((e) => sql`when ${e.id} then ${e[name]}`), sql` `)} else ${sql.ref(name)} end` };
      };
      await db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sent', sent_at: nowIso, attempts: eb('attempts', '+', 1), locked_until: null, last_error: null, ...column('params'), ...column('text_body'), ...column('html_body') }))
        .where('id', 'in', chunk.map((r) => r.id))
        .where('locked_by', '=', instanceId)
        .execute();
    }
  }

  /**
   * Claims up to batchSize due rows in ONE statement: UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING *.
   * On PostgreSQL the inner SELECT takes FOR UPDATE SKIP LOCKED, so concurrent senders of several instances
   * each get different rows without waiting for each other; the lease condition is re-checked by the UPDATE.
   * SQLite has one writer at a time, so the statement is atomic there as it is.
   */
  async claim(exclude: readonly string[] = []): Promise<OutboxRow[]> {
    const { db, clock, instanceId, batchSize, leaseMs } = this.#opts;
    const now = clock.now();
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    const due = (eb: ExpressionBuilder<DB, 'outbox'>) =>
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowIso)])]);
    const rows = await db
      .updateTable('outbox')
      .set({ locked_until: until, locked_by: instanceId })
      .where('id', 'in', (eb) => {
        let q = eb.selectFrom('outbox').select('id').where(due).orderBy('next_attempt_at').limit(batchSize);
        if (exclude.length) q = q.where('id', 'not in', exclude);
        return postgres ? q.forUpdate().skipLocked() : q;
      })
      .where(due)
      .returningAll()
      .execute();
    return rows.sort((a, b) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : 0));
  }

  /** Sender name and Reply-To of the events of a claimed batch: one query per batch. */
  async #eventSenders(rows: OutboxRow[]): Promise<Map<string, EventSender>> {
    const ids = [...new Set(rows.map((r) => r.event_id).filter((id): id is string => !!id))];
    if (!ids.length) return new Map();
    const events = await this.#opts.db.selectFrom('events').select(['id', 'mail_sender_name', 'mail_reply_to']).where('id', 'in', ids).execute();
    return new Map(events.map((e) => [e.id, { name: e.mail_sender_name, replyTo: e.mail_reply_to }]));
  }

  /** Sends one claimed row; a failure is recorded with its backoff at once, a success by #markSent. */
  async #sendOne(row: OutboxRow, sender?: EventSender): Promise<boolean> {
    const { db, clock, transport, maxAttempts, instanceId } = this.#opts;
    try {
      await transport.send(this.#opts.prepare ? await this.#opts.prepare(row) : row, sender);
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      this.#opts.onError?.(err, row);
      // The receiving server said the recipient does not exist: a hard bounce now, no retry, address suppressed.
      const hard = isHardRecipientFailure(err);
      const nowIso = clock.now().toISOString();
      if (hard) await suppressAddress(db, row.to_address, '', 'bounce', String((err as Error)?.message ?? err), nowIso);
      const giveUp = hard || attempts >= maxAttempts;
      await db
        .updateTable('outbox')
        .set({
          status: giveUp ? 'failed' : 'pending',
          ...(hard ? { bounced_at: nowIso } : {}),
          // A mail given up on will never be sent: its capability links have no reason to stay (ADR 0007).
          ...(giveUp ? redactedMailColumns(row) : {}),
          attempts,
          next_attempt_at: new Date(clock.now().getTime() + backoffMs(attempts)).toISOString(),
          locked_until: null,
          last_error: String((err as Error)?.message ?? err).slice(0, 500),
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', instanceId)
        .execute();
      return false;
    }
  }
}
