import { parentPort, workerData } from 'node:worker_threads';
import { connectDatabase, type ConnectOptions } from '../db/connect.ts';
import { systemClock } from '../platform/clock.ts';
import { mailDir } from './files.ts';
import { fileTransport, OutboxSender, senderTuning, smtpTransport } from './sender.ts';
import type { MailConfig } from '../config-mail.ts';
import { prepareOutgoingMail } from '../services/prepare-mail.ts';
import type { FromSender, ToSender } from './sender-thread.ts';

/**
 * The outbox sender on a thread of its own (sender-thread.ts): its own database connection, the same
 * OutboxSender as in-process (leases, SKIP LOCKED, backoff), so composing MIME, writing .eml files or talking
 * SMTP and marking rows never takes time from the event loop that serves applicants.
 */
const data = workerData as { options: ConnectOptions; smtpUrl: string | null; mailFrom: string; dataDir: string; instanceId: string; mail?: Partial<MailConfig>; secret: string };
const port = parentPort!;
const post = (m: FromSender) => port.postMessage(m);

const database = await connectDatabase({ ...data.options, poolSize: 4 });
const delivery = { dkim: data.mail?.dkim ?? null, bounceDomain: data.mail?.bounceDomain ?? null };
const tuning = senderTuning(data.mail);
const transport = data.smtpUrl ? smtpTransport(data.smtpUrl, data.mailFrom, delivery, tuning.concurrency) : fileTransport(mailDir(data.dataDir), data.mailFrom, delivery);
const sender = new OutboxSender({
  db: database.db,
  clock: systemClock,
  transport,
  instanceId: data.instanceId,
  ...tuning,
  prepare: prepareOutgoingMail(database.db, data.secret, systemClock),
  onError: (err, row) => post({ type: 'error', message: String((err as Error)?.message ?? err), rowId: row?.id ?? null }),
});

port.on('message', async (m: ToSender) => {
  try {
    if (m.type === 'start') sender.start();
    else if (m.type === 'kick') sender.kick();
    else if (m.type === 'drain') post({ type: 'drained', id: m.id, sent: await sender.drain() });
    else if (m.type === 'stop') {
      await sender.stop();
      await database.close();
      post({ type: 'stopped' });
    }
  } catch (err) {
    post({ type: 'error', message: String((err as Error)?.message ?? err), rowId: null });
    if (m.type === 'drain') post({ type: 'drained', id: m.id, sent: 0 });
  }
});
post({ type: 'ready' });
