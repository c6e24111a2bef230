import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Without SMTP_URL each sent mail is also a file: <data>/mail/<outbox id>.eml. Erasure must remove those
 * copies too, not only the outbox rows (they hold the same names, addresses and links).
 */
export const mailDir = (dataDir: string): string => join(dataDir, 'mail');
export const mailFile = (dataDir: string, outboxId: string): string => join(mailDir(dataDir), `${outboxId}.eml`);

/** Removes the .eml copies of these outbox rows, if any (after the erasing transaction committed). */
export async function removeMailFiles(dataDir: string, outboxIds: string[]): Promise<void> {
  for (const id of outboxIds) {
    if (/^[\w-]+$/.test(id)) await rm(mailFile(dataDir, id), { force: true }); // ids only: never a path
  }
}
