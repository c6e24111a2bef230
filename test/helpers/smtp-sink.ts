import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

/** One message as the sink received it: envelope plus the parsed MIME parts. */
export interface SunkMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  messageId: string;
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:PORT` for config.smtpUrl. */
  url: string;
  messages: SunkMessage[];
  /** SMTP sessions (TCP connections) opened so far. */
  readonly connections: number;
  /** Resolves with the first received (or future) message matching the predicate; rejects after timeoutMs. */
  waitFor(predicate: (m: SunkMessage) => boolean, timeoutMs?: number): Promise<SunkMessage>;
  close(): Promise<void>;
}

/** A real SMTP server on an ephemeral loopback port that keeps every message, parsed (no TLS, no auth). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  const waiters = new Set<{ predicate: (m: SunkMessage) => boolean; resolve: (m: SunkMessage) => void }>();
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', async () => {
        try {
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          const m: SunkMessage = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: parsed.headers,
            messageId: parsed.messageId ?? '',
            raw,
          };
          messages.push(m);
          for (const w of waiters) {
            if (w.predicate(m)) {
              waiters.delete(w);
              w.resolve(m);
            }
          }
          callback();
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get connections() {
      return connections;
    },
    waitFor(predicate, timeoutMs = 30_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          predicate,
          resolve: (m: SunkMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received: ${messages.map((x) => x.subject).join(' | ')})`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first http(s) link in a text body that points at the given path prefix (e.g. `/a/`). */
export function linkIn(text: string, pathPrefix: string): string {
  const m = text.match(new RegExp(`https?://[^\\s<>"]+${pathPrefix.replace(/[/]/g, '\\/')}[^\\s<>"]+`));
  if (!m) throw new Error(`no link to ${pathPrefix} in:\n${text}`);
  return m[0];
}
