/**
 * The SMTP sink of `bench:mail`, in a process of its own so it takes no time from the server being measured:
 * real SMTP over TCP (smtp-server), counts messages and notes when each Message-ID arrived. IPC: 'count' → the
 * number so far; 'dump' → every [messageId, arrivedAtMs].
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

const arrived: [string, number][] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 200,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (c: Buffer) => {
      if (head.length < 4096) head += c.toString('latin1');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '';
      arrived.push([id, Date.now()]);
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`sink listening ${(server.server.address() as AddressInfo).port}\n`);
});
process.on('message', (m: string) => {
  if (m === 'count') process.send!({ count: arrived.length });
  else if (m === 'dump') process.send!({ arrived });
  else if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
