import { readFile } from 'node:fs/promises';
import { verifyBundle } from '../domain/draw/index.ts';
import type { CliCommand } from './commands.ts';

/**
 * `admit verify-draw bundle.json`: re-runs a published draw from its audit bundle alone (no
 * database, no server secret). Exit 0 and "verified", or 1 naming the first field that does not
 * match; 2 when the file cannot be read as JSON.
 */
export const verifyDrawCommand: CliCommand = {
  name: 'verify-draw',
  usage: 'admit verify-draw BUNDLE.json   Re-run a published draw from its audit bundle; exit 0 = verified.',
  async run(args: string[]): Promise<number> {
    const file = args[0];
    if (!file) {
      console.error('usage: admit verify-draw BUNDLE.json');
      return 2;
    }
    let bundle: unknown;
    try {
      bundle = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      console.error(`cannot read ${file}: ${(err as Error).message}`);
      return 2;
    }
    const result = verifyBundle(bundle);
    if (result.ok) {
      console.log('verified');
      return 0;
    }
    const detail = result.message.startsWith(`${result.mismatch}: `) ? result.message.slice(result.mismatch.length + 2) : result.message;
    console.error(`mismatch: ${result.mismatch}: ${detail}`);
    return 1;
  },
};
