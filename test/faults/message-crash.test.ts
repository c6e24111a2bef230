import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { dialects } from '../helpers/db.ts';
import { pgSchema, type ServerProcess, startServer } from './process.ts';
import { connectDatabase } from '../../src/db/connect.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { cryptoRandom, hashToken, newToken } from '../../src/platform/random.ts';
import { nextId } from '../../src/services/ids.ts';
import { createMessage } from '../../src/services/messages.ts';
import type { Deps } from '../../src/services/deps.ts';

const RECIPIENTS = 40;
const KILL_AT = 12;

/**
 * Kill -9 in the middle of sending an organizer message, restart: every recipient gets the message exactly once.
 * The sink kills the server while it holds the 13th mail, BEFORE answering 250: by SMTP that mail was never
 * delivered (the sink drops it), the sender never saw it accepted, and it goes out again after the restart.
 * One mail at a time (ADMIT_MAIL_CONCURRENCY=1), each marked sent before the next starts (ADR 0013).
 */
for (const dialect of dialects()) {
  describe(`faults: kill -9 mid-message, restart [${dialect}]`, { timeout: 600_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'admit-msgfault-'));
    let pgs: Awaited<ReturnType<typeof pgSchema>> | null = null;
    const running: ServerProcess[] = [];
    after(async () => {
      for (const s of running) {
        s.proc.kill('SIGKILL');
        await s.exited;
      }
      await pgs?.drop();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    });

    test('each recipient exactly once in the SMTP sink', async () => {
      if (dialect === 'postgres') pgs = await pgSchema(process.env.TEST_DATABASE_URL!);
      const delivered: { to: string; subject: string; messageId: string }[] = [];
      let current: ServerProcess | null = null;
      let seen = 0;
      let killed: Promise<unknown> | null = null;
      const sink = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', async () => {
            const parsed = await simpleParser(Buffer.concat(chunks));
            if (parsed.subject === 'Crash test' && ++seen === KILL_AT + 1 && current) {
              const dying = current;
              dying.proc.kill('SIGKILL');
              killed = dying.exited;
              await dying.exited;
              return callback(new Error('451 server went away')); // never acknowledged: not delivered
            }
            delivered.push({ to: session.envelope.rcptTo[0].address, subject: parsed.subject ?? '', messageId: parsed.messageId ?? '' });
            callback();
          });
        },
      });
      await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
      const smtp = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
      const env = {
        ADMIT_DATA_DIR: dataDir,
        DATABASE_URL: pgs?.url ?? '',
        ADMIT_WORKERS: 'on',
        SMTP_URL: smtp,
        ADMIT_MAIL_CONCURRENCY: '1',
        ADMIT_MAIL_RATE: '40',
        ADMIT_MAIL_BATCH: '10',
        ADMIT_MAIL_LEASE_MS: '2000',
      };
      try {
        // First start: migrate and seed the demo event; stop; then prepare recipients and the message offline.
        const first = await startServer({ ...env, SMTP_URL: 'smtp://127.0.0.1:1' }, { timeoutMs: 180_000 });
        running.push(first);
        first.proc.kill('SIGTERM');
        await first.exited;
        const database = await connectDatabase({ url: pgs?.url ?? null, dataDir });
        const deps: Deps = { database, clock: systemClock, random: cryptoRandom, config: { publicUrl: 'http://127.0.0.1', secret: 'fault-test-secret-0123456789abcdef0123', unverifiedTtlHours: 72, mailFrom: 'Admit <a@admit.test>', dataDir } };
        const event = await database.db.selectFrom('events').select('id').where('slug', '=', 'launch-nyc').executeTakeFirstOrThrow();
        const now = new Date().toISOString();
        const emails: string[] = [];
        for (let i = 0; i < RECIPIENTS; i++) {
          const email = `crash-${i}@example.com`;
          emails.push(email);
          await database.db
            .insertInto('applications')
            .values({
              id: nextId(deps), event_id: event.id, status: 'confirmed', name: `Guest ${i}`, email, email_normalized: email, country: 'DE', locale: i % 2 ? 'de' : 'en', party_size: 1,
              guests: '[]', answers: '{}', consent_at: now, token_hash: hashToken(newToken(cryptoRandom)), verified: 1, created_at: now, updated_at: now, verified_at: now, withdrawn_at: null, seats: 1,
            })
            .execute();
        }
        // Everything else already in the outbox (the demo's mails) is out of the way.
        await database.db.updateTable('outbox').set({ status: 'sent' }).where('status', '=', 'pending').execute();
        const owner = await database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
        const r = await createMessage(deps, owner.id, event.id, {
          segment: { audience: 'confirmed', countries: ['DE'], group: null, categories: [] },
          content: { en: { subject: 'Crash test', body: 'Hello {name}' }, de: { subject: 'Crash test', body: 'Hallo {name}' } },
          sendAt: null,
        });
        assert.equal(r.queued, RECIPIENTS);
        await database.close();

        current = await startServer(env, { timeoutMs: 180_000 });
        running.push(current);
        const deadline = Date.now() + 180_000;
        while (!killed && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
        assert.ok(killed, 'the server was killed mid-send');
        await killed;
        assert.equal(delivered.length, KILL_AT, 'mails before the kill');

        current = await startServer(env, { timeoutMs: 180_000 });
        running.push(current);
        while (delivered.length < RECIPIENTS && Date.now() < deadline + 180_000) await new Promise((res) => setTimeout(res, 100));
        await new Promise((res) => setTimeout(res, 1500)); // anything extra would show now
        const per = new Map<string, number>();
        for (const d of delivered) per.set(d.to, (per.get(d.to) ?? 0) + 1);
        assert.deepEqual([...per.keys()].sort(), [...emails].sort(), 'every recipient');
        assert.ok([...per.values()].every((n) => n === 1), `exactly once each: ${JSON.stringify([...per].filter(([, n]) => n > 1))}`);
        assert.equal(delivered.length, RECIPIENTS);
        current.proc.kill('SIGTERM');
        assert.equal(await current.exited, 0);
      } finally {
        await new Promise<void>((r) => sink.close(() => r()));
      }
    });
  });
}
