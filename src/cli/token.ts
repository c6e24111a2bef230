import { parseArgs } from 'node:util';
import { AppError } from '../errors.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../services/api-tokens.ts';
import { withDeps } from './with-deps.ts';
import type { CliCommand } from './commands.ts';

const USAGE = `usage: admit token create --email EMAIL [--name NAME]
       admit token list --email EMAIL
       admit token revoke --id TOKEN_ID`;


/**
 * `admit token …`: API tokens for staff (Authorization: Bearer on /api/v1/admin/* and /api/v1/checkin/*),
 * acting with the user's role. The token is printed once and stored only as a hash.
 */
export const tokenCommand: CliCommand = {
  name: 'token',
  usage: 'admit token create --email EMAIL [--name NAME] | list --email EMAIL | revoke --id ID   API tokens (printed once)',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    let values: { email?: string; name?: string; id?: string };
    try {
      ({ values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } } }));
    } catch (err) {
      console.error(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    if (sub === 'create' && values.email) {
      return withDeps(async (deps) => {
        try {
          const { id, token, user } = await createApiToken(deps, 'cli', { email: values.email!, name: values.name });
          console.error(`created token ${id} for ${user.email} (${user.role}); it is shown only now:`);
          console.log(token);
          return 0;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          console.error(`error: ${err.fields.map((f) => `${f.field} ${f.code}`).join(', ') || err.code}`);
          return 1;
        }
      });
    }
    if (sub === 'list' && values.email) {
      return withDeps(async (deps) => {
        for (const t of await listApiTokens(deps, values.email!)) {
          console.log([t.id, t.name || '-', `created ${t.createdAt}`, `last used ${t.lastUsedAt ?? 'never'}`, t.revokedAt ? `revoked ${t.revokedAt}` : 'active'].join('  '));
        }
        return 0;
      });
    }
    if (sub === 'revoke' && values.id) {
      return withDeps(async (deps) => {
        const done = await revokeApiToken(deps, 'cli', values.id!);
        console.log(done ? `revoked ${values.id}` : `no active token ${values.id}`);
        return done ? 0 : 1;
      });
    }
    console.error(USAGE);
    return 2;
  },
};
