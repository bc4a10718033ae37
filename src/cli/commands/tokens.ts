import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

const usage = 'create NAME [--scope read|write|admin] [--expires 30d] [--json] | list [--json] | revoke NAME|ID';

interface TokenView {
  id: string;
  name: string;
  scope: string;
  state: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export const tokensCommand: Command = {
  name: 'tokens',
  summary: 'create, list or revoke your API tokens',
  usage,
  help: `  create NAME    make a token and print it (shown once; the server keeps only a hash)
  --scope SCOPE  read (GET, clone, pull), write (also push, deploy, run; default) or admin (also users, tokens, forced deploys)
  --expires D    lifetime such as 90m, 12h or 30d (default: no expiry)
  list           your tokens: name, scope, state, expiry, last use
  revoke NAME    revoke a token by name or id; it stops working at once
${clientHelp}`,
  options: { ...clientOptions, scope: { type: 'string' }, expires: { type: 'string' } },
  async run(values, [action, name]) {
    const client = clientFor(values);
    if (action === 'list') {
      const list = await client.json<TokenView[]>('GET', '/api/tokens');
      printList(list, Boolean(values.json), 'no tokens', ['NAME', 'ID', 'SCOPE', 'STATE', 'EXPIRES', 'LAST USED'], (t) => [
        t.name, t.id, t.scope, t.state, t.expiresAt ?? 'never', t.lastUsedAt ? ago(t.lastUsedAt) : 'never',
      ]);
      return 0;
    }
    if (action === 'create') {
      if (!name) throw new CliError(`usage: slipway tokens ${usage}`, 2);
      const scope = str(values.scope);
      if (scope !== undefined && !['read', 'write', 'admin'].includes(scope)) throw new CliError(`--scope must be read, write or admin, not "${scope}"`, 2);
      const expiresIn = str(values.expires);
      const created = await client.json<TokenView & { token: string }>('POST', '/api/tokens', { name, ...(scope && { scope }), ...(expiresIn && { expiresIn }) });
      if (values.json) console.log(JSON.stringify(created, null, 2));
      else console.log(`token ${created.name} (scope ${created.scope}, ${created.expiresAt ? `expires ${created.expiresAt}` : 'no expiry'}); shown only now:\n${created.token}`);
      return 0;
    }
    if (action === 'revoke') {
      if (!name) throw new CliError(`usage: slipway tokens ${usage}`, 2);
      const revoked = await client.json<TokenView[]>('DELETE', `/api/tokens/${encodeURIComponent(name)}`);
      if (values.json) console.log(JSON.stringify(revoked, null, 2));
      else for (const t of revoked) console.log(`revoked token ${t.name} (${t.id})`);
      return 0;
    }
    throw new CliError(action ? `unknown action "${action}": use create, list or revoke` : `usage: slipway tokens ${usage}`, 2);
  },
};
