import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { outboxRow } from '../../src/mail/outbox.ts';
import { OutboxSender, pooledSmtpUrl, smtpTransport, type MailTransport } from '../../src/mail/sender.ts';
import { newId, seededRandom } from '../../src/platform/random.ts';
import { forEachDialect, type TestContext } from '../helpers/context.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

/** Counts the statements that mark outbox rows sent (an UPDATE setting status): one per group commit. */
class MarkCounter implements KyselyPlugin {
  marks = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.updates ?? []).includes('"status"')) this.marks++;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

async function queue(c: TestContext, n: number, tag: string): Promise<string[]> {
  const random = seededRandom(tag);
  const now = c.clock.now().toISOString();
  const rows = Array.from({ length: n }, (_, i) =>
    outboxRow({ id: newId(c.clock.now(), random), kind: 'message', to: `${tag}-${i}@example.com`, now, template: { name: 'organizer.message', locale: 'en', params: { eventTitle: 'Launch', subject: `Hello ${i}`, body: `Hello ${i}`, unsubscribeUrl: `https://admit.test/u/${'x'.repeat(30)}` } } }),
  );
  for (let i = 0; i < rows.length; i += 100) await c.db.db.insertInto('outbox').values(rows.slice(i, i + 100)).execute();
  return rows.map((r) => r.id);
}

forEachDialect('outbox sender throughput (issue 13 §5)', (ctx) => {
  test('a batch goes out over a pool of reused connections, marked sent in group commits, each mail once', async () => {
    const c = ctx();
    const ids = await queue(c, 240, 'pool');
    const sink = await startSmtpSink();
    const counter = new MarkCounter();
    const sender = new OutboxSender({ db: c.db.db.withPlugin(counter), clock: c.clock, transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>', {}, 8), instanceId: 'pool', concurrency: 8, batchSize: 50 });
    try {
      assert.equal(await sender.drain(), 240);
      assert.deepEqual(sink.messages.map((m) => m.to[0]).sort(), ids.map((_, i) => `pool-${i}@example.com`).sort(), 'every mail once');
      assert.ok(sink.connections <= 8, `at most one connection per worker, reused (${sink.connections} for 240 mails)`);
      // Grouped: a worker's mail is committed together with those of the others that finished meanwhile.
      assert.ok(counter.marks <= 240 / 3, `${counter.marks} commits for 240 mails`);
      const rows = await c.db.db.selectFrom('outbox').select(['status', 'params']).where('id', 'in', ids).execute();
      assert.ok(rows.every((r) => r.status === 'sent'));
      assert.ok(rows.every((r) => r.params?.includes('/u/[redacted]')), 'capability links erased by the same UPDATE');
    } finally {
      await sender.stop();
      await sink.close();
    }
  });

  test('a row whose lease ran out while it waited is not sent by the old holder, and the claim ahead takes it back once', async () => {
    const c = ctx();
    const ids = await queue(c, 6, 'lease');
    const sink = await startSmtpSink();
    const smtp = smtpTransport(sink.url, 'Admit <no-reply@admit.test>', {}, 1);
    let first = true;
    // The first send takes "longer" than the lease: the rows queued behind it are no longer this sender's.
    const slow: MailTransport = {
      async send(row, sender) {
        await smtp.send(row, sender);
        if (first) c.clock.advance(5_000);
        first = false;
      },
      close: () => smtp.close(),
    };
    const sender = new OutboxSender({ db: c.db.db, clock: c.clock, transport: slow, instanceId: 'lease', concurrency: 1, batchSize: 3, leaseMs: 2_000 });
    try {
      assert.equal(await sender.drain(), 6);
      const to = sink.messages.map((m) => m.to[0]);
      assert.equal(to.length, 6, `each once: ${to.join(', ')}`);
      assert.equal(new Set(to).size, 6);
      const rows = await c.db.db.selectFrom('outbox').select('status').where('id', 'in', ids).execute();
      assert.ok(rows.every((r) => r.status === 'sent'));
    } finally {
      await sender.stop();
      await sink.close();
    }
  });
});

test('pooledSmtpUrl: one connection per worker, reused without limit; what SMTP_URL says wins', () => {
  assert.equal(pooledSmtpUrl('smtp://mx.example:25', 16), 'smtp://mx.example:25?pool=true&maxConnections=16&maxMessages=Infinity');
  assert.equal(pooledSmtpUrl('smtp://u:p@mx.example:587?maxMessages=50', 4), 'smtp://u:p@mx.example:587?maxMessages=50&pool=true&maxConnections=4');
  assert.equal(pooledSmtpUrl('smtp://mx.example?pool=false&maxConnections=2&maxMessages=9', 4), 'smtp://mx.example?pool=false&maxConnections=2&maxMessages=9');
});
