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

export function smtpTransport(url: string, from: string, delivery: DeliveryOptions = {}): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(url.includes('pool=') ? url : `${url}${url.includes('?') ? '&' : '?'}pool=true`);
  const domain = from.match(/@([^>\s]+)/)?.[1] ?? 'admit.localhost';
  return {
    async send(row, sender) {
      await transporter.sendMail(message(row, from, domain, sender, delivery));
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

  /** Claims and sends due rows until none are left. Returns the number sent. */
  async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const claimed = await this.claim();
      if (!claimed.length) return sent;
      // Suppressed addresses (bounced; unsubscribed from optional mail) are recorded, never sent (ADR 0013).
      const blocked = await suppressedRows(this.#opts.db, claimed);
      if (blocked.size) await this.#markSuppressed(claimed.filter((r) => blocked.has(r.id)));
      const rows = claimed.filter((r) => !blocked.has(r.id));
      const queue = [...rows];
      const senders = await this.#eventSenders(rows);
      const workers = Array.from({ length: Math.min(this.#opts.concurrency, queue.length) }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          await this.#throttle();
          if (await this.#sendOne(row, row.event_id ? senders.get(row.event_id) : undefined)) {
            // Marked as soon as the server took it (group commit of whatever finished meanwhile), not at the end of
            // the batch: a crash re-sends at most the mails between an SMTP 250 and the next commit (ADR 0013).
            await this.#markSentSoon(row);
            sent++;
          }
        }
      });
      await Promise.all(workers);
      if (this.#stopRequested) return sent;
    }
  }

  /**
   * One UPDATE for the whole claimed batch instead of one commit (one fsync on SQLite) per mail. Should the
   * process die between sending and this, those mails go out again after their lease: the same Message-ID
   * (<outbox id@domain>), so receiving servers and clients can tell the copies apart.
   *
   * The same UPDATE erases the capability links (ADR 0007): once a mail is handed over, the outbox keeps it
   * without the tokens that act for its recipient — one CASE per changed column, still one statement.
   */
  #toMark: OutboxRow[] = [];
  #marking: Promise<void> | null = null;

  /** Waits until `row` is marked sent; rows finished while a commit runs go together in the next one. */
  async #markSentSoon(row: OutboxRow): Promise<void> {
    this.#toMark.push(row);
    while (this.#toMark.includes(row)) {
      if (!this.#marking) {
        const rows = this.#toMark.splice(0);
        this.#marking = this.#markSent(rows).finally(() => {
          this.#marking = null;
        });
      }
      await this.#marking;
    }
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
  async claim(): Promise<OutboxRow[]> {
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
        const q = eb.selectFrom('outbox').select('id').where(due).orderBy('next_attempt_at').limit(batchSize);
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
