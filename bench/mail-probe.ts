/**
 * Where the time of sending goes (issue 13 §5), without page load: N outbox rows on SQLite (or DATABASE_URL), the
 * OutboxSender in THIS process (so --cpu-prof sees it) sending to bench/mail-sink.ts over real SMTP. Prints mails/s
 * the CPU milliseconds per mail of the sender process and of the sink, and how many commits marked them sent.
 *
 *   node --import tsx bench/mail-probe.ts [--mails N] [--concurrency C] [--batch B]
 *   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/mail-probe.ts
 */
import { fork } from 'node:child_process';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.ts';
import { connectDatabase, migrateToLatest } from '../src/db/connect.ts';
import { outboxRow } from '../src/mail/outbox.ts';
import { OutboxSender, smtpTransport, senderTuning } from '../src/mail/sender.ts';
import { prepareOutgoingMail } from '../src/services/prepare-mail.ts';
import { systemClock } from '../src/platform/clock.ts';
import { newId, cryptoRandom } from '../src/platform/random.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt;
};
const MAILS = Number(opt('mails', '10000'));
const PG_URL = process.env.DATABASE_URL || '';

const dataDir = mkdtempSync(join(tmpdir(), 'admit-mail-probe-'));
const schema = PG_URL ? `mail_probe_${process.pid}` : undefined;
const database = await connectDatabase({ url: PG_URL || null, dataDir, schema, poolSize: 4 });
await migrateToLatest(database.db);
const sink = fork(join(ROOT, 'bench/mail-sink.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const sinkPort = await new Promise<number>((resolve) => sink.stdout!.on('data', (b: Buffer) => { const m = /sink listening (\d+)/.exec(b.toString()); if (m) resolve(Number(m[1])); }));
const ask = <T>(q: string) => new Promise<T>((resolve) => { sink.once('message', (m) => resolve(m as T)); sink.send(q); });

const now = new Date().toISOString();
for (let i = 0; i < MAILS; i += 500) {
  const rows = [];
  for (let j = i; j < Math.min(MAILS, i + 500); j++) {
    rows.push(outboxRow({ id: newId(new Date(), cryptoRandom), kind: 'message', to: `guest-${j}@example.com`, now, template: { name: 'organizer.message', locale: j % 3 ? 'en' : 'de', params: { eventTitle: 'Launch Night', subject: 'Parking is at gate B', body: `Hello Guest ${j},\n\nparking is at gate B. Doors open at 7 pm.\n\nSee you there!`, unsubscribeUrl: `http://127.0.0.1/u/${'x'.repeat(48)}` } } }));
  }
  await database.db.insertInto('outbox').values(rows).execute();
}

/** Counts UPDATEs that set a status (marking sent: one per group commit). */
let commits = 0;
const counter: KyselyPlugin = {
  transformQuery: ({ node }): RootOperationNode => {
    if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.updates ?? []).includes('"status"')) commits++;
    return node;
  },
  transformResult: async ({ result }) => result,
};
const tuning = senderTuning({ ratePerSecond: 0, ...(argv.includes('--concurrency') ? { concurrency: Number(opt('concurrency', '8')) } : {}), ...(argv.includes('--batch') ? { batchSize: Number(opt('batch', '100')) } : {}) });
const transport = smtpTransport(`smtp://127.0.0.1:${sinkPort}`, 'Admit <admit@example.org>', {}, tuning.concurrency);
const sender = new OutboxSender({ db: database.db.withPlugin(counter), clock: systemClock, transport, instanceId: 'probe', ...tuning, prepare: prepareOutgoingMail(database.db, 'probe-secret', systemClock), onError: (e) => console.error(e) });
const sinkCpu0 = await ask<{ cpu: NodeJS.CpuUsage }>('cpu');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const sent = await sender.drain();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const sinkCpu1 = await ask<{ cpu: NodeJS.CpuUsage }>('cpu');
const perMail = (c: { user: number; system: number }) => ((c.user + c.system) / 1000 / sent).toFixed(2);
console.log(`${PG_URL ? 'postgresql' : 'sqlite'}: ${sent} mails in ${(ms / 1000).toFixed(1)} s = ${((sent * 1000) / ms).toFixed(0)} mails/s (concurrency ${tuning.concurrency}, batch ${tuning.batchSize})`);
console.log(`  ${commits} commits marking sent (${(sent / Math.max(1, commits)).toFixed(1)} mails per commit)`);
console.log(`  CPU per mail: sender ${perMail(cpu)} ms, sink ${perMail({ user: sinkCpu1.cpu.user - sinkCpu0.cpu.user, system: sinkCpu1.cpu.system - sinkCpu0.cpu.system })} ms`);
await sender.stop();
sink.disconnect();
sink.kill();
if (schema) await database.db.schema.dropSchema(schema).cascade().execute();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
