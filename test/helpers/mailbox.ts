import { existsSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { mailFile } from '../../src/mail/files.ts';

/**
 * The text of a mail as delivered by the file transport (<data>/mail/<outbox id>.eml): the recipient's copy,
 * the only place its capability links remain once sent (ADR 0005). Waits (bounded) for the sender.
 */
export async function deliveredText(dataDir: string, outboxId: string, timeoutMs = 15_000): Promise<string> {
  const file = mailFile(dataDir, outboxId);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`mail ${outboxId} was not delivered within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return (await simpleParser(readFileSync(file))).text ?? '';
}
