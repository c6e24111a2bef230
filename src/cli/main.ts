import { parseArgs } from 'node:util';
import { AppError } from '../errors.ts';
import { withDeps } from './with-deps.ts';
import { createSetupLink, createUser, ROLES, type Role } from '../services/users.ts';
import { commands as extraCommands } from './commands.ts';

const USAGE = `admit — operator commands

  admit user create --email EMAIL --role owner|admin|reviewer|door [--name NAME] [--link]
        Password is read from standard input (one line). With --link (or empty input), prints a
        one-time setup link instead.
  admit migrate                 Apply database migrations.
${extraCommands.map((c) => `  ${c.usage}`).join('\n')}
Environment: DATABASE_URL (unset = SQLite in ADMIT_DATA_DIR, default ./data), PUBLIC_URL.`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Password (input visible; pipe it in to hide): ');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && chunk.toString().includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}


export async function main(argv: string[]): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (group === 'migrate') {
    await withDeps(async () => undefined);
    console.log('migrations applied');
    return 0;
  }
  if (group === 'user' && sub === 'create') {
    const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, link: { type: 'boolean' } } });
    if (!values.email || !values.role || !ROLES.includes(values.role as Role)) {
      console.error('usage: admit user create --email EMAIL --role owner|admin|reviewer|door');
      return 2;
    }
    const password = values.link ? '' : await readStdin();
    return withDeps(async (deps) => {
      try {
        const user = await createUser(deps, 'cli', { email: values.email!, role: values.role as Role, name: values.name, password: password || undefined });
        console.log(`created ${user.role} ${user.email}`);
        if (!password) console.log(`set the password here: ${await createSetupLink(deps, user.id)}`);
        return 0;
      } catch (err) {
        if (err instanceof AppError) {
          console.error(`error: ${err.fields.map((f) => `${f.field} ${f.code}`).join(', ') || err.code}`);
          return 1;
        }
        throw err;
      }
    });
  }
  const extra = extraCommands.find((c) => c.name === group);
  if (extra) return extra.run([sub, ...rest].filter((x) => x !== undefined));
  console.error(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
