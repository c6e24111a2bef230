import type { Worker } from 'node:worker_threads';
import type { ConnectOptions } from '../db/connect.ts';
import { startTsWorker, stopWorker } from '../platform/worker.ts';
import type { MailSender } from './sender.ts';
import type { MailConfig } from '../config-mail.ts';

export type ToSender = { type: 'start' } | { type: 'kick' } | { type: 'drain'; id: number } | { type: 'stop' };
export type FromSender = { type: 'ready' } | { type: 'drained'; id: number; sent: number } | { type: 'error'; message: string; rowId: string | null } | { type: 'stopped' };

export interface SenderThreadOptions {
  options: ConnectOptions;
  smtpUrl: string | null;
  mailFrom: string;
  dataDir: string;
  instanceId: string;
  /** Rate, concurrency, DKIM, VERP (config-mail.ts). */
  mail?: Partial<MailConfig>;
  /** For the PDF tickets rendered at send time (their QR codes derive from it). */
  secret: string;
  onError?(message: string, rowId: string | null): void;
}

/**
 * The outbox sender on a worker thread (ADR 0004). Same contract as OutboxSender — start, kick after a
 * commit, drain, graceful stop — but composing and sending mail happen off the event loop. The thread is
 * started on first use, so an instance with ADMIT_WORKERS=off never starts one.
 */
export class SenderThread implements MailSender {
  readonly #o: SenderThreadOptions;
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #started = false;
  #nextId = 1;
  readonly #drains = new Map<number, (sent: number) => void>();

  constructor(o: SenderThreadOptions) {
    this.#o = o;
  }

  start(): void {
    this.#started = true;
    this.#send({ type: 'start' }).catch(() => {});
  }

  kick(): void {
    if (this.#started) this.#send({ type: 'kick' }).catch(() => {});
  }

  async drain(): Promise<number> {
    const id = this.#nextId++;
    const done = new Promise<number>((resolve) => this.#drains.set(id, resolve));
    await this.#send({ type: 'drain', id });
    return done;
  }

  /** Lets the thread finish the rows it claimed, closes its connection. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#started = false;
    if (!worker) return;
    await this.#ready?.catch(() => {});
    this.#worker = null;
    await stopWorker(worker, { type: 'stop' } satisfies ToSender, 'stopped', 15_000);
  }

  async #send(m: ToSender): Promise<void> {
    if (!this.#worker) this.#spawn();
    await this.#ready;
    this.#worker?.postMessage(m);
  }

  #spawn(): void {
    const { onError, ...data } = this.#o;
    const worker = startTsWorker(new URL('./sender-worker.ts', import.meta.url), { ...data });
    worker.unref();
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromSender) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'drained') {
          this.#drains.get(m.id)?.(m.sent);
          this.#drains.delete(m.id);
        } else if (m.type === 'error') onError?.(m.message, m.rowId);
      });
      worker.on('error', (err) => {
        onError?.(`mail sender thread failed: ${err.message}`, null);
        reject(err);
      });
      worker.on('exit', () => {
        if (this.#worker === worker) this.#worker = null;
        for (const [id, resolve] of this.#drains) {
          resolve(0);
          this.#drains.delete(id);
        }
        // Stopped unexpectedly while it should run: start a new one (rows it held come back after their lease).
        if (this.#started) setTimeout(() => this.#started && this.#send({ type: 'start' }).catch(() => {}), 1000).unref();
      });
    });
    this.#ready.catch(() => {});
  }
}
