import { tokenCommand } from './token.ts';
import { verifyDrawCommand } from './verify-draw.ts';
import { mailDkimCommand } from './mail-dkim.ts';

/** Further CLI commands register here (verify-draw, …): name, one usage line, and a runner returning the exit code. */
export interface CliCommand {
  name: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export const commands: CliCommand[] = [verifyDrawCommand, tokenCommand, mailDkimCommand];
