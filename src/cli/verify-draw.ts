import { readFile } from 'node:fs/promises';
import { DRAND_CHAINS, verifyBundleText } from '../domain/draw/index.ts';
import type { CliCommand } from './commands.ts';

/**
 * `admit verify-draw bundle.json`: re-runs a published draw from its audit bundle alone (no
 * database, no server secret, no network: the drand public key ships with the code). Exit 0 and
 * "verified", or 1 naming the first field that does not match (including a document that breaks the
 * strict reading rules: a duplicate key, a number that is not written as an integer); 2 when the file
 * cannot be read. Never a stack trace: an unexpected error is reported in one line with exit 2.
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
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      console.error(`cannot read ${file}: ${(err as Error).message}`);
      return 2;
    }
    try {
      const result = verifyBundleText(text);
      if (result.ok) {
        console.log('verified');
        const pr = (JSON.parse(text) as { publicRandomness?: { kind?: string; chain?: string; round?: number; label?: string } }).publicRandomness;
        if (pr?.kind === 'drand') console.log(`public randomness: ${DRAND_CHAINS.get(pr.chain!)?.name} round ${pr.round}, signature checked against the chain's public key`);
        else if (pr?.kind === 'unverified' || (pr && !pr.kind)) console.log(`public randomness: "${pr.label}" (unverified: compare the value with its source yourself)`);
        else console.log('public randomness: none');
        return 0;
      }
      const detail = result.message.startsWith(`${result.mismatch}: `) ? result.message.slice(result.mismatch.length + 2) : result.message;
      console.error(`mismatch: ${result.mismatch}: ${detail}`);
      return 1;
    } catch (err) {
      console.error(`cannot verify ${file}: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
  },
};
